-- The stroke plan of a session as charted: {"directions": ["horizontal", …], "passes": N} as JSON, '' until
-- charted. Kept beside the passes so the delivered dose can be reproduced.
ALTER TABLE sessions ADD COLUMN stroke_plan_json TEXT COLLATE "C" NOT NULL DEFAULT '';
