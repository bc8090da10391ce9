-- An episode's mark is kept once its condition clears, with the time a pass saw it cleared: the
-- condition alerts again only after a cool-down since then, so that a condition that comes back
-- at once, or that nodes judge differently (clock skew, a value at the threshold), goes on as one
-- episode instead of alerting on every flap. Null while the condition holds.
ALTER TABLE alert_episodes ADD COLUMN ended_at INTEGER;
