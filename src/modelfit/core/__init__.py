"""The ground floor: errors, escaping what leaves, safe reading of what enters, reproducible
numbers and the shared vocabularies. Imports nothing else of modelfit.
"""
