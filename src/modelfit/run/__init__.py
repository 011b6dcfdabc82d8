"""Many companies at once: batch renders on a Dask cluster, bulk scoring of files of any size.
"""
