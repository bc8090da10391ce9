-- Workflow passes look at the workflows whose step messages changed lately (an ack, a failure, a
-- retry: every transition writes updated_at), and sweep the rest a page at a time. This index
-- answers the first from the step messages alone; a message outside any workflow never enters it.
-- It replaces messages_workflow_active (V8), which found only failed workflows with a step running
-- again, and missed one whose retried step was acked before the next pass.
DROP INDEX messages_workflow_active;
CREATE INDEX messages_workflow_changed ON messages (updated_at) WHERE workflow_id IS NOT NULL;
