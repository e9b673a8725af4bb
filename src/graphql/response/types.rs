//! What the response step needs to know of the schema: each object's and interface's field
//! types, and which object types each interface or union stands for. Read once from the
//! schema's own SDL.

use async_graphql::parser::types::{
    BaseType, OperationType, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use std::collections::{HashMap, HashSet};

/// The kind of a named output type, as far as completing a value cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object type: its fields are known.
    Object,
    /// An interface or union: the object's own type is known only at run time.
    Abstract,
    /// A scalar or enum: a leaf.
    Leaf,
}

/// The schema's output types.
#[derive(Debug, Default)]
pub struct TypeTable {
    kinds: HashMap<String, Kind>,
    fields: HashMap<String, HashMap<String, Type>>,
    /// The object types each interface or union may be.
    members: HashMap<String, HashSet<String>>,
    query: String,
    mutation: String,
    subscription: String,
}

impl TypeTable {
    /// Reads the types of `sdl`, the schema's own SDL.
    pub fn from_sdl(sdl: &str) -> Result<Self, async_graphql::parser::Error> {
        let document: ServiceDocument = async_graphql::parser::parse_schema(sdl)?;
        let mut table = Self {
            query: "Query".to_owned(),
            mutation: "Mutation".to_owned(),
            subscription: "Subscription".to_owned(),
            ..Self::default()
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Type(definition) => table.add(definition.node),
                TypeSystemDefinition::Schema(schema) => {
                    if let Some(query) = schema.node.query {
                        table.query = query.node.to_string();
                    }
                    if let Some(mutation) = schema.node.mutation {
                        table.mutation = mutation.node.to_string();
                    }
                    if let Some(subscription) = schema.node.subscription {
                        table.subscription = subscription.node.to_string();
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(table)
    }

    fn add(&mut self, definition: async_graphql::parser::types::TypeDefinition) {
        let name = definition.name.node.to_string();
        let (kind, fields, implements) = match definition.kind {
            TypeKind::Object(object) => (Kind::Object, object.fields, object.implements),
            TypeKind::Interface(interface) => {
                (Kind::Abstract, interface.fields, interface.implements)
            }
            TypeKind::Union(union) => {
                let members = self.members.entry(name.clone()).or_default();
                members.extend(union.members.into_iter().map(|m| m.node.to_string()));
                (Kind::Abstract, Vec::new(), Vec::new())
            }
            TypeKind::Scalar | TypeKind::Enum(_) => (Kind::Leaf, Vec::new(), Vec::new()),
            TypeKind::InputObject(_) => return,
        };
        for interface in implements {
            let members = self.members.entry(interface.node.to_string()).or_default();
            members.insert(name.clone());
        }
        let own = self.fields.entry(name.clone()).or_default();
        for field in fields {
            own.insert(field.node.name.node.to_string(), field.node.ty.node);
        }
        self.kinds.insert(name, kind);
    }

    /// The root type of operations of type `ty`.
    pub fn root(&self, ty: OperationType) -> &str {
        match ty {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => &self.subscription,
        }
    }

    /// The type of `field` on `parent`, or `None` for fields the SDL does not list
    /// (introspection's `__schema` and `__type`).
    pub fn field(&self, parent: &str, field: &str) -> Option<&Type> {
        self.fields.get(parent)?.get(field)
    }

    /// The table's own copy of the type name `name`, if the schema has that type.
    pub fn name(&self, name: &str) -> Option<&str> {
        self.kinds.get_key_value(name).map(|(own, _)| own.as_str())
    }

    /// What kind of type `name` is; unknown names (introspection's) are leaves, passed on
    /// as they are.
    pub fn kind(&self, name: &str) -> Kind {
        self.kinds.get(name).copied().unwrap_or(Kind::Leaf)
    }

    /// Whether a fragment on `condition` applies to an object of type `object`.
    pub fn applies(&self, condition: &str, object: &str) -> bool {
        condition == object
            || self
                .members
                .get(condition)
                .is_some_and(|members| members.contains(object))
    }
}

/// The named type at the bottom of `ty`'s list and non-null wrappers.
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}
