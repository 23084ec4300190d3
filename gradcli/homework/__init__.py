"""Homework at scale: many points at once, gradient checks, problem sets, exercises."""
