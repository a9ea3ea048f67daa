-- Mail from templates (issue 17): each message keeps an HTML part beside its plain text,
-- sent together as multipart/alternative. Messages queued before this (or by hand) have
-- none and go as plain text. Once sent, its secret links are removed from both parts.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
