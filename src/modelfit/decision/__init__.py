"""The framework's answer: the framework file, features, scoring kernels, the recommendation,
client weights and robustness.
"""
