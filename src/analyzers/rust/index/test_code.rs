//! What test code is inside a Rust file, one definition for every rule: items compiled for tests
//! only (`#[test]`, `#[tokio::test]`, `#[cfg(test)]`, `#[cfg(any(test, ..))]`) and functions or
//! modules named as test helpers with the words that make a file test code (`test_keys`,
//! `mock_server`, `fake_token`, `testutils`: `roles::has_test_word`). Unless `include_tests` is
//! set, the analyzer strips them from the tree before any rule runs, as discovery skips test
//! files by the same words.
use syn::visit_mut::VisitMut;

/// Removes test items from a parsed file so that no rule sees them.
pub struct StripTestItems;

/// `#[test]`, `#[tokio::test]`-like, or a `cfg` that holds `test` and no `not`.
pub fn is_test_attr(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    if path.is_ident("test")
        || path.segments.last().is_some_and(|s| s.ident == "test") && path.segments.len() == 2
    {
        return true;
    }
    let syn::Meta::List(l) = &attr.meta else {
        return false;
    };
    if !l.path.is_ident("cfg") {
        return false;
    }
    let mut idents = Vec::new();
    collect_idents(l.tokens.clone(), &mut idents, 0);
    idents.iter().any(|i| i == "test") && !idents.iter().any(|i| i == "not")
}

fn collect_idents(ts: proc_macro2::TokenStream, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    for tt in ts {
        match tt {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => collect_idents(g.stream(), out, depth + 1),
            _ => {}
        }
    }
}

/// A function or module named as test code (`test_claims`, `mock_token`, `mod testutils`).
pub fn is_test_name(name: &syn::Ident) -> bool {
    crate::roles::has_test_word(&name.to_string())
}

fn has_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_test_attr)
}

fn is_test_item(item: &syn::Item) -> bool {
    match item {
        syn::Item::Fn(i) => has_test_attr(&i.attrs) || is_test_name(&i.sig.ident),
        syn::Item::Mod(i) => has_test_attr(&i.attrs) || is_test_name(&i.ident),
        syn::Item::Impl(i) => has_test_attr(&i.attrs),
        syn::Item::Const(i) => has_test_attr(&i.attrs),
        syn::Item::Static(i) => has_test_attr(&i.attrs),
        syn::Item::Struct(i) => has_test_attr(&i.attrs),
        syn::Item::Use(i) => has_test_attr(&i.attrs),
        _ => false,
    }
}

impl VisitMut for StripTestItems {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        file.items.retain(|i| !is_test_item(i));
        syn::visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut m.content {
            items.retain(|i| !is_test_item(i));
        }
        syn::visit_mut::visit_item_mod_mut(self, m);
    }

    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        i.items.retain(|it| match it {
            syn::ImplItem::Fn(f) => !(has_test_attr(&f.attrs) || is_test_name(&f.sig.ident)),
            _ => true,
        });
        syn::visit_mut::visit_item_impl_mut(self, i);
    }

    fn visit_item_trait_mut(&mut self, t: &mut syn::ItemTrait) {
        t.items.retain(|it| match it {
            syn::TraitItem::Fn(f) => !(has_test_attr(&f.attrs) || is_test_name(&f.sig.ident)),
            _ => true,
        });
        syn::visit_mut::visit_item_trait_mut(self, t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the functions left in `code` once test items are stripped.
    fn kept(code: &str) -> Vec<String> {
        let mut file = syn::parse_file(code).unwrap();
        StripTestItems.visit_file_mut(&mut file);
        let mut names = Vec::new();
        collect_fn_names(&file.items, &mut names);
        names
    }

    fn collect_fn_names(items: &[syn::Item], out: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Fn(f) => out.push(f.sig.ident.to_string()),
                syn::Item::Mod(m) => collect_fn_names(&m.content.as_ref().unwrap().1, out),
                syn::Item::Impl(i) => out.extend(i.items.iter().filter_map(|it| match it {
                    syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                    _ => None,
                })),
                _ => {}
            }
        }
    }

    #[test]
    fn test_items_by_attribute_and_by_name_are_stripped() {
        let code = "
            fn issue() {}
            fn attest_token() {}
            #[test] fn t() {}
            #[tokio::test] async fn t2() {}
            #[cfg(test)] mod tests { fn helper() {} }
            #[cfg(any(test, debug_assertions))] fn debug_only() {}
            #[cfg(not(test))] fn release_only() {}
            fn test_claims() {}
            fn mock_token() {}
            fn fake_keys() {}
            mod testutils { fn sign() {} }
            mod mock_server { fn serve() {} }
            impl Signer { fn sign(&self) {} fn dummy_signer() {} }
        ";
        assert_eq!(
            kept(code),
            ["issue", "attest_token", "release_only", "sign"]
        );
    }
}
