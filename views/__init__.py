"""Blueprints, one per feature: checklists, incidents, meetings, review, reports, ... (see README)."""
