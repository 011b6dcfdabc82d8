"""What a company says: profiles, assessment answers, client preferences and spreadsheets,
validated where they enter.
"""
