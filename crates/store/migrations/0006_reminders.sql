-- Reminders: per incident, how many notifications were shown and when the latest one was, in
-- real time (reminders run on the real clock, whatever the simulated one does).
ALTER TABLE notifications_sent ADD COLUMN incident TEXT;
ALTER TABLE notifications_sent ADD COLUMN real_at INTEGER;
CREATE INDEX notifications_by_incident ON notifications_sent (incident)
    WHERE incident IS NOT NULL;

-- The notification policy and the tray read every open page, whatever its day. A partial
-- index stays as small as the number of open pages and costs ingest nothing for other entries.
CREATE INDEX entries_open_pages ON entries (started_at)
    WHERE kind = 'page' AND status IN ('triggered', 'acknowledged');
