-- An overdue event raised before the evidence that met its deadline arrived (a grievance loaded after its deadline,
-- its acknowledgement dated inside it a moment later) is withdrawn, not deleted: subscribers may already hold it.
ALTER TABLE escalation_events ADD COLUMN withdrawn_at timestamptz NULL;
