"""Staff reports: attendee tables, exports (text, CSV, JSON, XLSX) and name cards."""
