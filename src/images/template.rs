//! The `resize_image` template function (docs/templates.md): a theme asks for any width,
//! box and format of an image of the site.

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use super::Images;
use super::plan::{Encoding, Spec};
use super::view::FileView;

/// Registers `resize_image(path, width, height=none, format="original")`.
pub fn register(tera: &mut Tera, images: Arc<Images>) {
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path: &str = kwargs.must_get("path")?;
            let width: u32 = kwargs.must_get("width")?;
            let height: Option<u32> = kwargs.get("height")?;
            let format: Option<&str> = kwargs.get("format")?;
            let fail = |msg: String| tera::Error::message(format!("`resize_image`: {msg}"));
            if !(1..=8192).contains(&width) || height.is_some_and(|h| !(1..=8192).contains(&h)) {
                return Err(fail("width and height must be between 1 and 8192".into()));
            }
            let wanted = match format.unwrap_or("original") {
                "original" => None,
                "webp" => Some(Encoding::Webp),
                "jpeg" | "jpg" => Some(Encoding::Jpeg),
                "png" => Some(Encoding::Png),
                other => {
                    return Err(fail(format!(
                        "unknown format `{other}` (original, webp, jpeg or png)"
                    )));
                }
            };
            let path = path.trim_start_matches('/');
            let variant = images
                .variant(path, |src| {
                    let enc = wanted.unwrap_or(src.encoding());
                    match height {
                        Some(h) => {
                            Spec::filled((src.width(), src.height()), (width, h), width, enc)
                        }
                        None => Spec::scaled(src.width(), src.height(), width, enc),
                    }
                })
                .map_err(fail)?;
            Ok(Value::from_serializable(&FileView::of(&images, &variant)))
        },
    );
}
