"""Replica division: how a binding's replicas are split over the selected clusters."""
