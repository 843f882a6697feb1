//! Naming rules shared by every target language: English plurals, case
//! conversion, and escaping of words that are keywords somewhere.
//!
//! Every derived name is computed here, once, and carried by the model;
//! templates never derive names.

use heck::{ToLowerCamelCase, ToPascalCase, ToSnakeCase, ToTitleCase};

/// PostgreSQL keywords that are not "unreserved" (`pg_get_keywords()` with
/// `catcode <> 'U'` on PostgreSQL 15): these must be quoted to be used as
/// table, column or constraint names. The PostgreSQL tests compare this list
/// with the server's.
pub const SQL_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// PostgreSQL truncates identifiers longer than this many bytes.
pub const SQL_IDENTIFIER_MAX_BYTES: usize = 63;

/// Rust keywords of edition 2024, strict and reserved.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Rust keywords that cannot be raw identifiers (`r#self` is not allowed).
const RUST_NON_RAW_KEYWORDS: &[&str] = &["crate", "self", "super"];

/// Type names an entity must not shadow in generated Rust: the prelude and
/// the types every generated module imports.
const RUST_TAKEN_TYPES: &[&str] = &[
    // The prelude.
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    // What a generated entity module imports or defines.
    "ApiError",
    "AppState",
    "BTreeMap",
    "Caller",
    "Changes",
    "Checks",
    "DateTime",
    "Error",
    "HookContext",
    "Hooks",
    "Input",
    "Json",
    "JsonObject",
    "ListQuery",
    "Map",
    "Page",
    "Params",
    "Query",
    "RecordId",
    "Role",
    "Router",
    "Row",
    "Rules",
    "Serialize",
    "Sql",
    "State",
    "StatusCode",
    "Type",
    "Utc",
    "Uuid",
    "Value",
];

/// Words TypeScript reserves in strict-mode modules, which cannot name a
/// variable (contextual keywords such as `type` or `string` can).
const TS_KEYWORDS: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Global TypeScript and DOM types an entity type must not shadow.
const TS_TAKEN_TYPES: &[&str] = &[
    "Array",
    "Boolean",
    "Date",
    "Element",
    "Error",
    "Event",
    "File",
    "Function",
    "Json",
    "Map",
    "Node",
    "Number",
    "Object",
    "Page",
    "Partial",
    "Promise",
    "ReadOnlyResource",
    "Record",
    "RegExp",
    "Request",
    "Resource",
    "Response",
    "Set",
    "String",
    "Symbol",
];

/// Words whose plural is the same word.
const UNCOUNTABLE: &[&str] = &[
    "data",
    "equipment",
    "feedback",
    "information",
    "metadata",
    "money",
    "news",
    "series",
    "software",
    "species",
    "staff",
];

/// Irregular plurals, singular first.
const IRREGULAR: &[(&str, &str)] = &[
    ("analysis", "analyses"),
    ("child", "children"),
    ("criterion", "criteria"),
    ("foot", "feet"),
    ("goose", "geese"),
    ("index", "indices"),
    ("leaf", "leaves"),
    ("life", "lives"),
    ("man", "men"),
    ("matrix", "matrices"),
    ("mouse", "mice"),
    ("person", "people"),
    ("quiz", "quizzes"),
    ("tooth", "teeth"),
    ("vertex", "vertices"),
    ("woman", "women"),
];

/// The English plural of a snake_case name; only the last word changes
/// (`line_item` → `line_items`).
pub fn pluralize(snake: &str) -> String {
    let (head, last) = match snake.rfind('_') {
        Some(idx) => snake.split_at(idx + 1),
        None => ("", snake),
    };
    format!("{head}{}", pluralize_word(last))
}

/// A snake_case name as a URL path segment (`line_items` → `line-items`).
pub fn path_segment(snake: &str) -> String {
    snake.replace('_', "-")
}

/// The plural of a display label: of its head noun, the last word before
/// an " of " (`Country of origin` → `Countries of origin`), else of its last
/// word (`Line item` → `Line items`), keeping its capital.
pub fn pluralize_label(label: &str) -> String {
    let (noun_phrase, rest) = match label.find(" of ") {
        Some(idx) => label.split_at(idx),
        None => (label, ""),
    };
    let (head, last) = match noun_phrase.rfind(' ') {
        Some(idx) => noun_phrase.split_at(idx + 1),
        None => ("", noun_phrase),
    };
    let mut chars = last.chars();
    let plural = match chars.next() {
        Some(first) if first.is_uppercase() && chars.all(|c| !c.is_uppercase()) => {
            let lower = pluralize_word(&last.to_lowercase());
            let mut lower_chars = lower.chars();
            lower_chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + lower_chars.as_str())
                .unwrap_or_default()
        }
        _ => pluralize_word(last),
    };
    format!("{head}{plural}{rest}")
}

fn pluralize_word(word: &str) -> String {
    if UNCOUNTABLE.contains(&word) {
        return word.to_owned();
    }
    if let Some((_, plural)) = IRREGULAR.iter().find(|(singular, _)| *singular == word) {
        return (*plural).to_owned();
    }
    // Already an irregular plural (`people`): keep it.
    if IRREGULAR.iter().any(|(_, plural)| *plural == word) {
        return word.to_owned();
    }
    let ends_with_consonant_then = |suffix: char| {
        let mut chars = word.chars().rev();
        chars.next() == Some(suffix) && chars.next().is_some_and(|c| !"aeiou".contains(c))
    };
    if ends_with_consonant_then('y') {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|s| word.ends_with(s))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

/// A display name as it reads inside a sentence: lowercase, but for words
/// written in capitals, which are acronyms (`SLA breach`, `IANA name`).
pub fn phrase(label: &str) -> String {
    label
        .split(' ')
        .map(|word| {
            if is_acronym(word) {
                word.to_owned()
            } else {
                word.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two or more letters, every one a capital (`SLA`, `URL`; not `A` or `Id`).
fn is_acronym(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(char::is_ascii_alphabetic).collect();
    letters.len() >= 2 && letters.iter().all(char::is_ascii_uppercase)
}

/// "a" or "an" before a word, by how English usually sounds it: "an" before
/// a vowel, except a "you" sound (`user`, `unit`, `euro`); "an" before a
/// silent h (`hour`, `honor`); an acronym by the name of its first letter
/// (`an SLA`, `a URL`).
pub fn indefinite_article(word: &str) -> &'static str {
    if is_acronym(word.split(' ').next().unwrap_or_default()) {
        // Letters whose names begin with a vowel sound: "ay", "ef", "em", …
        return if word.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X']) {
            "an"
        } else {
            "a"
        };
    }
    let word = word.to_lowercase();
    let sounds_like_you = ["eu", "uni", "use", "usu", "uti", "ure"]
        .iter()
        .any(|p| word.starts_with(p));
    let silent_h = ["hour", "honor", "honest", "heir"]
        .iter()
        .any(|p| word.starts_with(p));
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    if (vowel && !sounds_like_you) || silent_h {
        "an"
    } else {
        "a"
    }
}

/// The snake_case form of a spec name (`LineItem` → `line_item`).
pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// PascalCase (`line_item` → `LineItem`).
pub fn pascal(snake: &str) -> String {
    snake.to_pascal_case()
}

/// camelCase (`line_item` → `lineItem`).
pub fn camel(snake: &str) -> String {
    snake.to_lower_camel_case()
}

/// Words for people (`line_item` → `Line item`).
pub fn words(snake: &str) -> String {
    let title = snake.to_title_case();
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_string() + &chars.as_str().to_lowercase(),
        None => String::new(),
    }
}

/// An SQL identifier, quoted when PostgreSQL would otherwise read it as a
/// keyword. Spec names are lowercase ASCII, so keywords are the only reason.
pub fn sql_ident(name: &str) -> String {
    if SQL_KEYWORDS.binary_search(&name).is_ok() {
        format!("\"{name}\"")
    } else {
        name.to_owned()
    }
}

/// A Rust value identifier: raw for keywords, suffixed where raw is not allowed.
pub fn rust_ident(snake: &str) -> String {
    if RUST_NON_RAW_KEYWORDS.contains(&snake) {
        format!("{snake}_")
    } else if RUST_KEYWORDS.contains(&snake) {
        format!("r#{snake}")
    } else {
        snake.to_owned()
    }
}

/// Modules that hold the entity modules, or that an entity module holds
/// (its `rules`): an entity module of the same name (`src/hooks/hooks.rs`)
/// is what clippy's `module_inception` refuses.
const RUST_PARENT_MODULES: &[&str] = &["entities", "hooks", "rules"];

/// A Rust module name: keywords get a trailing underscore, since raw
/// identifiers would become file names (`mod.rs`, `self.rs`) with meanings.
pub fn rust_module(snake: &str) -> String {
    if RUST_KEYWORDS.contains(&snake) || RUST_PARENT_MODULES.contains(&snake) {
        format!("{snake}_")
    } else {
        snake.to_owned()
    }
}

/// A Rust type name that shadows nothing generated code relies on.
pub fn rust_type(pascal: &str) -> String {
    if RUST_TAKEN_TYPES.contains(&pascal) {
        format!("{pascal}Record")
    } else {
        pascal.to_owned()
    }
}

/// A Rust enum variant for a snake_case value (`in_progress` →
/// `InProgress`); `self` would be `Self`, which no variant may be called.
pub fn rust_variant(snake: &str) -> String {
    match pascal(snake).as_str() {
        "Self" => "SelfValue".to_owned(),
        variant => variant.to_owned(),
    }
}

/// A TypeScript variable name (`default` → `default_`).
pub fn ts_ident(camel: &str) -> String {
    if TS_KEYWORDS.contains(&camel) {
        format!("{camel}_")
    } else {
        camel.to_owned()
    }
}

/// A TypeScript type name that shadows no global type.
pub fn ts_type(pascal: &str) -> String {
    if TS_TAKEN_TYPES.contains(&pascal) {
        format!("{pascal}Record")
    } else {
        pascal.to_owned()
    }
}

/// An SQL string literal.
pub fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The edit distance between two words, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, when it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(&lowered, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_plurals() {
        for (label, plural) in [
            ("Country of origin", "Countries of origin"),
            ("Statement of work", "Statements of work"),
            ("Line item", "Line items"),
            ("Person", "People"),
            ("Gizmo", "Gizmos"),
            ("API key", "API keys"),
            ("Box", "Boxes"),
        ] {
            assert_eq!(pluralize_label(label), plural, "{label}");
        }
    }

    #[test]
    fn plurals() {
        let cases = [
            ("company", "companies"),
            ("contact", "contacts"),
            ("line_item", "line_items"),
            ("category", "categories"),
            ("day", "days"),
            ("status", "statuses"),
            ("box", "boxes"),
            ("match", "matches"),
            ("person", "people"),
            ("people", "people"),
            ("sales_person", "sales_people"),
            ("data", "data"),
            ("country", "countries"),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural, "plural of {singular}");
        }
    }

    #[test]
    fn keyword_lists_are_sorted_for_binary_search() {
        assert!(SQL_KEYWORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn escaping() {
        assert_eq!(sql_ident("order"), "\"order\"");
        assert_eq!(sql_ident("name"), "name");
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_type("String"), "StringRecord");
        assert_eq!(ts_ident("default"), "default_");
        assert_eq!(snake("LineItem"), "line_item");
        assert_eq!(words("line_item"), "Line item");
    }

    #[test]
    fn articles() {
        for (word, article) in [
            ("organization", "an"),
            ("user", "a"),
            ("company", "a"),
            ("hour", "an"),
            ("item", "an"),
            ("unit", "a"),
            ("tenant", "a"),
            ("SLA breach", "an"),
            ("URL", "a"),
            ("HR team", "an"),
        ] {
            assert_eq!(indefinite_article(word), article, "{word}");
        }
    }

    #[test]
    fn phrases_keep_acronyms() {
        for (label, phrase) in [
            ("Line item", "line item"),
            ("SLA breaches", "SLA breaches"),
            ("IANA name", "IANA name"),
            (
                "Target first response (hours)",
                "target first response (hours)",
            ),
            ("A", "a"),
            ("Id", "id"),
        ] {
            assert_eq!(super::phrase(label), phrase, "{label}");
        }
    }

    #[test]
    fn suggestions() {
        let types = ["string", "text", "integer"];
        assert_eq!(closest("strng", types), Some("string"));
        assert_eq!(closest("zzzzzz", types), None);
        assert_eq!(closest("Text", types), Some("text"));
    }
}
