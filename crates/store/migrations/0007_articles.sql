-- Awareness material the portal publishes (bài tuyên truyền): editors write it, the public
-- reads it. An article teaches how to recognise false information; it names nobody who
-- posted anything. Edits keep the slug and record updated_at; each is an audit event.
CREATE TABLE articles (
    id @ID@,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_published_at ON articles(published_at);
