"""Flask-WTF forms. Checklists are data (definitions/*.yaml) built into forms at start-up."""
