"""Critical appraisal: checklists as data, appraisal records, comparison, summaries."""
