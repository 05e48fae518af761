//! Signed-in sessions, kept in the database so every instance sees them and a sign-out or a
//! role change ends them everywhere. Sessions follow no rules of their own (the web layer's
//! session store and `auth` decide when they start and end), so this door is the store's
//! session queries as they are.

pub use crate::store::sessions::{
    SessionRow, count_for_user, create, delete, delete_expired, delete_for_user, id_hash, load,
    save,
};
