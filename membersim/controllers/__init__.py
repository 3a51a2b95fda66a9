"""Simulated controllers (kwok-like): workloads, scheduler, kubelet, EndpointSlices, GC."""
