//! The `resize_image` template function (docs/templates.md): a theme asks for any width,
//! box and format of an image of the site.

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use super::Images;

/// Registers `resize_image(path, width, height=none, format="original")`.
pub fn register(tera: &mut Tera, images: Arc<Images>) {
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path: &str = kwargs.must_get("path")?;
            let width: u32 = kwargs.must_get("width")?;
            let height: Option<u32> = kwargs.get("height")?;
            let format: Option<&str> = kwargs.get("format")?;
            let file = images
                .resize(path.trim_start_matches('/'), width, height, format)
                .map_err(|msg| tera::Error::message(format!("`resize_image`: {msg}")))?;
            Ok(Value::from_serializable(&file))
        },
    );
}
