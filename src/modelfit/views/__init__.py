"""What notebook cells, terminals and charts display: report sections, summary, explore, portfolio,
what-if, intake.
"""
