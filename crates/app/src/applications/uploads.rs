//! Files uploaded as answers: listed with their application and served only to someone who
//! may read it.

use super::{ApplicationError, Loaded, load};
use crate::App;
use convene_domain::policy::{Action, Principal};
use convene_store::uploads::{self, UploadInfo};

/// The files uploaded to a loaded application (already permission-checked).
pub async fn uploaded_files(app: &App, loaded: &Loaded) -> Result<Vec<UploadInfo>, ApplicationError> {
    Ok(uploads::for_application(&app.db, loaded.application.id).await?)
}

/// One uploaded file and its content, for someone who may read application `id`. A file
/// of another application is not found, whoever asks.
pub async fn download(
    app: &App,
    who: &Principal,
    id: i64,
    public_id: &str,
) -> Result<(UploadInfo, Vec<u8>), ApplicationError> {
    let loaded = load(app, who, id, Action::View).await?;
    let info = uploads::info(&app.db, public_id)
        .await?
        .filter(|info| info.application_id == loaded.application.id)
        .ok_or(ApplicationError::NotFound)?;
    let content = uploads::content(&app.db, public_id)
        .await?
        .ok_or(ApplicationError::NotFound)?;
    Ok((info, content))
}
