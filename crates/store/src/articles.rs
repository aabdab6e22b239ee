//! Awareness articles: the portal's material on recognising false information.

use crate::{get_i64, get_str, now, Result, Store, WriteTx};
use kc_desk::awareness::ValidArticle;
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

/// An article as the portal shows it. `published_by` is for the console only.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRecord {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub published_by: String,
    pub published_at: String,
    pub updated_at: String,
}

const ARTICLE_COLUMNS: &str =
    "id, slug, title, summary, body, published_by, published_at, updated_at";

fn article_from_row(r: &AnyRow) -> Result<ArticleRecord> {
    Ok(ArticleRecord {
        id: get_i64(r, "id")?,
        slug: get_str(r, "slug")?,
        title: get_str(r, "title")?,
        summary: get_str(r, "summary")?,
        body: get_str(r, "body")?,
        published_by: get_str(r, "published_by")?,
        published_at: get_str(r, "published_at")?,
        updated_at: get_str(r, "updated_at")?,
    })
}

impl Store {
    /// Articles, the newest first.
    pub async fn articles(&self, limit: i64) -> Result<Vec<ArticleRecord>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY published_at DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(article_from_row).collect()
    }

    pub async fn article_by_slug(&self, slug: &str) -> Result<Option<ArticleRecord>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE slug = $1");
        sqlx::query(&sql)
            .bind(slug.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(article_from_row)
            .transpose()
    }

    pub async fn article(&self, id: i64) -> Result<Option<ArticleRecord>> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(article_from_row)
            .transpose()
    }

    pub async fn article_slug_taken(&self, slug: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT id FROM articles WHERE slug = $1")
            .bind(slug.to_string())
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }
}

impl WriteTx {
    /// Publishes an article under `slug`; returns its id.
    pub async fn publish_article(&mut self, slug: &str, a: &ValidArticle) -> Result<i64> {
        let at = now();
        let row = sqlx::query(
            "INSERT INTO articles (slug, title, summary, body, published_by, published_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(slug.to_string())
        .bind(a.title.clone())
        .bind(a.summary.clone())
        .bind(a.body.clone())
        .bind(self.actor().to_string())
        .bind(at.clone())
        .bind(at)
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "article.publish",
            "article",
            id,
            json!({ "slug": slug, "title": a.title }),
        )
        .await?;
        Ok(id)
    }

    /// Replaces an article's text; its address and publication date stay. Returns whether
    /// the article exists.
    pub async fn update_article(&mut self, id: i64, a: &ValidArticle) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE articles SET title = $1, summary = $2, body = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(a.title.clone())
        .bind(a.summary.clone())
        .bind(a.body.clone())
        .bind(now())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.audit("article.update", "article", id, json!({ "title": a.title }))
            .await?;
        Ok(true)
    }
}
