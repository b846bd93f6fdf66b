"""Reports: figures from SQL aggregates as plain dicts, then PDF/CSV/XLSX/JSON. No HTTP in here."""
