//! The pure core: no JS types anywhere below this module.

pub mod call;
pub mod codes;
pub mod encode;
pub mod endpoint;
pub mod error;
pub use yunxiao_scan::json;
pub mod normalize;
pub mod request;
pub mod secret;
pub mod sign;
pub mod time;
