"""Blueprints, one per audience: auth, observe (observers), review (coordinators, liaison)."""
