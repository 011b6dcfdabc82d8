"""The payoff model: assumptions, simulated cash flows, the money plan, the synthetic population
and the classifier trained on it.
"""
