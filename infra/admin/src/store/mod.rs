//! The operator's side of the store: extension traits over tessera-common's `Store`, which
//! keeps only what functions use.

mod seatable;
mod workspaces;

pub use seatable::SeaTableStore;
pub use workspaces::WorkspaceStore;
