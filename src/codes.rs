//! Code lists: an enum whose every value has a stable code (stored in a text
//! column, used in URLs, forms and files) and a Chinese label, defined once.
//!
//! ```
//! yunying::code_enum! {
//!     /// A colour.
//!     pub enum Colour {
//!         Red => ("red", "红"),
//!         Blue => ("blue", "蓝"),
//!     }
//! }
//! assert_eq!(Colour::parse("blue"), Some(Colour::Blue));
//! assert_eq!(Colour::Red.label(), "红");
//! assert_eq!(Colour::ALL.len(), 2);
//! ```
//!
//! The enum is `Copy`, `Eq`, `Hash`, `Debug`, and an `sqlx::Type` over `text` (each
//! value stored as its code); more derives and attributes may be given before
//! `enum`. It implements [`Code`], so code that takes any code list (a form's
//! choices) takes it.

/// A value of a code list (what `code_enum!` defines).
pub trait Code: Copy + 'static {
    /// The stored code.
    fn code(self) -> &'static str;
    /// The Chinese label.
    fn label(self) -> &'static str;
}

/// Define a code list (see the module documentation).
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::Type)]
        #[sqlx(type_name = "text")]
        $vis enum $name {
            $( $(#[$vmeta])* #[sqlx(rename = $code)] $variant ),+
        }

        // Every list offers all of these, whether or not each one is used yet.
        #[allow(dead_code)]
        impl $name {
            /// Every value, in the order defined.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value of a code (exactly as stored).
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The value of a code or of a label (what people type in files).
            pub fn parse_code_or_label(s: &str) -> Option<Self> {
                Self::parse(s).or_else(|| Self::ALL.iter().copied().find(|v| v.label() == s))
            }

            /// `code1`、`code2`… for messages.
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join("、")
            }
        }

        impl $crate::codes::Code for $name {
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::code_enum! {
        enum Size {
            Small => ("s", "小"),
            Large => ("l", "大"),
        }
    }

    #[test]
    fn codes_labels_and_parsing() {
        assert_eq!(Size::ALL, &[Size::Small, Size::Large]);
        assert_eq!(Size::Large.code(), "l");
        assert_eq!(Size::Small.label(), "小");
        assert_eq!(Size::parse("s"), Some(Size::Small));
        assert_eq!(Size::parse("小"), None, "codes only");
        assert_eq!(Size::parse_code_or_label("大"), Some(Size::Large));
        assert_eq!(Size::parse_code_or_label("x"), None);
        assert_eq!(Size::codes(), "s、l");
        assert_eq!(Size::Large.to_string(), "大");
    }
}
