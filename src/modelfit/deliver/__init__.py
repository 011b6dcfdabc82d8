"""Files a reader gets: papermill runs on warm kernels, HTML, PDF, workbooks, incremental keys, the
notebook generator.
"""
