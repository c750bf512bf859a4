//! CSV downloads of lists: UTF-8 with a BOM (so Excel on a Chinese Windows reads
//! it as UTF-8), CRLF line ends, RFC 4180 quoting.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The file: `header`, then each row.
pub fn build<I, R>(header: &[&str], rows: I) -> Result<Vec<u8>, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(header).map_err(anyhow::Error::from)?;
        for r in rows {
            w.write_record(r).map_err(anyhow::Error::from)?;
        }
        w.flush().map_err(anyhow::Error::from)?;
    }
    Ok(out)
}

/// `body` as a download named `filename`.
pub fn download(filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn bom_crlf_and_quoting() {
        let body = super::build(&["a", "b"], [vec!["1".to_owned(), "x,y".to_owned()]]).unwrap();
        assert_eq!(body, "\u{feff}a,b\r\n1,\"x,y\"\r\n".as_bytes());
    }
}
