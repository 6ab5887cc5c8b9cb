//! One role per role: merging what a plan and the role's `.tf` source both describe.

use crate::model::Inventory;
use crate::policy::PolicyDocument;
use crate::source::SourceMap;
use crate::value::Str;

/// Applies `f` to every string of a document.
pub fn map_doc_strs(doc: &mut PolicyDocument, f: &mut dyn FnMut(&mut Str)) {
    if let Some(v) = &mut doc.version {
        f(v);
    }
    for st in &mut doc.statements {
        if let Some(s) = &mut st.sid {
            f(s);
        }
        for i in st.actions.iter_mut() {
            f(&mut i.value);
        }
        for list in [
            &mut st.not_actions,
            &mut st.resources,
            &mut st.not_resources,
        ]
        .into_iter()
        .flatten()
        {
            for i in list.iter_mut() {
                f(&mut i.value);
            }
        }
        for p in [&mut st.principals, &mut st.not_principals]
            .into_iter()
            .flatten()
        {
            for e in &mut p.entries {
                f(&mut e.value);
            }
        }
        for c in &mut st.conditions {
            f(&mut c.operator);
            f(&mut c.key);
            for v in &mut c.values {
                f(&mut v.value);
            }
        }
    }
}

pub fn reconcile(_inv: &mut Inventory, _sources: &SourceMap) {}
