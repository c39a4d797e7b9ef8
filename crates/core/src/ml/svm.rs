//! Placeholder: filled in next.
