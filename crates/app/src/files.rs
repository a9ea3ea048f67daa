//! Checking an uploaded file: its type is read from its content (never its name), must be
//! one of the kinds applications accept, and must agree with the name's extension.

/// The kinds of file accepted: (MIME type, extensions, name in messages).
const ACCEPTED: [(&str, &[&str], &str); 6] = [
    ("application/pdf", &["pdf"], "PDF"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
        "Word document (.docx)",
    ),
    (
        "application/vnd.oasis.opendocument.text",
        &["odt"],
        "OpenDocument text (.odt)",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
        "Excel spreadsheet (.xlsx)",
    ),
    ("image/png", &["png"], "PNG image"),
    ("image/jpeg", &["jpg", "jpeg"], "JPEG image"),
];

const KINDS: &str = "a PDF, Word (.docx), OpenDocument text (.odt), Excel (.xlsx), PNG or JPEG file";

/// A file that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub content_type: &'static str,
    /// The name as given, without any folder path.
    pub file_name: String,
}

/// Checks a file; the error is the message shown beside the field.
pub fn check(file_name: &str, content: &[u8]) -> Result<Checked, String> {
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    if content.is_empty() {
        return Err("The selected file is empty".to_string());
    }
    if content.len() > crate::applications::MAX_UPLOAD_BYTES {
        return Err("The selected file must be smaller than 10MB".to_string());
    }
    let detected = infer::get(content).map(|t| t.mime_type());
    let Some((mime, extensions, label)) = ACCEPTED.iter().find(|(m, _, _)| Some(*m) == detected) else {
        return Err(format!("The selected file must be {KINDS}"));
    };
    let extension = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let claimed = ACCEPTED
        .iter()
        .find(|(_, exts, _)| extension.as_deref().is_some_and(|e| exts.contains(&e)));
    match claimed {
        Some((claimed_mime, _, claimed_label)) if claimed_mime != mime => Err(format!(
            "\u{201c}{base}\u{201d} is named as a {claimed_label} but its content is a {label}. Upload {KINDS}"
        )),
        Some(_) => Ok(Checked {
            content_type: mime,
            file_name: base,
        }),
        None => Err(format!(
            "\u{201c}{base}\u{201d} must end in .{} to match its content ({label})",
            extensions[0]
        )),
    }
}

/// What clamd said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    Clean,
    Infected(String),
}

/// Scans `content` with the clamd listening on `socket`, using its INSTREAM command.
pub async fn scan(socket: &std::path::Path, content: &[u8]) -> std::io::Result<Scan> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::UnixStream::connect(socket).await?;
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in content.chunks(64 * 1024) {
        stream.write_all(&(chunk.len() as u32).to_be_bytes()).await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut reply = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), stream.read_to_end(&mut reply))
        .await
        .map_err(|_| std::io::Error::other("clamd did not answer in time"))??;
    let text = String::from_utf8_lossy(&reply)
        .trim_end_matches('\0')
        .trim()
        .to_string();
    match text.strip_suffix(" FOUND") {
        Some(found) => Ok(Scan::Infected(found.trim_start_matches("stream: ").to_string())),
        None if text.ends_with("OK") => Ok(Scan::Clean),
        None => Err(std::io::Error::other(format!("clamd answered {text:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

    #[test]
    fn type_comes_from_content_and_must_match_the_name() {
        assert_eq!(
            check("letter.pdf", PDF).map(|c| c.content_type),
            Ok("application/pdf")
        );
        assert_eq!(
            check("C:\\Users\\x\\map.PNG", PNG).map(|c| c.file_name),
            Ok("map.PNG".to_string())
        );
        let renamed = check("letter.pdf", PNG).unwrap_err();
        assert!(
            renamed.contains("named as a PDF but its content is a PNG image"),
            "{renamed}"
        );
        assert!(
            check("notes.txt", b"plain words")
                .unwrap_err()
                .contains("must be a PDF")
        );
        assert!(check("empty.pdf", b"").unwrap_err().contains("empty"));
        assert!(check("noext", PDF).unwrap_err().contains("must end in .pdf"));
    }

    /// Answers one INSTREAM as clamd does: FOUND when the stream holds the EICAR test
    /// string, OK otherwise. (A real clamd needs signature updates from the internet.)
    async fn clamd_stand_in(listener: tokio::net::UnixListener) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut command = [0u8; 10];
        conn.read_exact(&mut command).await.unwrap();
        assert_eq!(&command, b"zINSTREAM\0");
        let mut data = Vec::new();
        loop {
            let mut len = [0u8; 4];
            conn.read_exact(&mut len).await.unwrap();
            let n = u32::from_be_bytes(len) as usize;
            if n == 0 {
                break;
            }
            let mut chunk = vec![0u8; n];
            conn.read_exact(&mut chunk).await.unwrap();
            data.extend(chunk);
        }
        let eicar = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE";
        let infected = data.windows(eicar.len()).any(|w| w == eicar);
        let reply: &[u8] = if infected {
            b"stream: Eicar-Signature FOUND\0"
        } else {
            b"stream: OK\0"
        };
        conn.write_all(reply).await.unwrap();
    }

    #[tokio::test]
    async fn uploads_are_scanned_over_the_clamd_protocol() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("clamd.sock");
        for (content, expected) in [
            (PDF.to_vec(), Scan::Clean),
            (
                [
                    PDF,
                    b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
                ]
                .concat(),
                Scan::Infected("Eicar-Signature".into()),
            ),
        ] {
            let _ = std::fs::remove_file(&socket);
            let listener = tokio::net::UnixListener::bind(&socket).unwrap();
            let server = tokio::spawn(clamd_stand_in(listener));
            assert_eq!(scan(&socket, &content).await.unwrap(), expected);
            server.await.unwrap();
        }
        // No clamd listening: an error, which refuses the upload.
        assert!(scan(&dir.path().join("absent.sock"), PDF).await.is_err());
    }
}
