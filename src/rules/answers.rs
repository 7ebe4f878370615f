//! The `answers` namespace of an expression context, looked up lazily.
//!
//! Expressions read answers as attribute paths (`answers.keys.withdrawal`).
//! Building that nested map for every evaluation pass cost more than
//! evaluating the expressions themselves, so the namespace is a minijinja
//! object instead: the [`Shape`] (which ids exist, split at dots) is built
//! once per catalog, and a [`View`] only points into it, into one
//! manifest's answer values and into the mask of answers left out.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};

/// Question ids as a tree of dot-separated segments. Node 0 is the root.
#[derive(Debug, Default)]
pub struct Shape {
    nodes: Vec<BTreeMap<String, Slot>>,
}

#[derive(Clone, Copy, Debug)]
enum Slot {
    /// The answer of the question with this index.
    Leaf(usize),
    /// A further level of the tree.
    Branch(usize),
}

impl Shape {
    /// The shape of `ids`; the index of an id is its position. An id that
    /// is a prefix of another (`a` and `a.b`) is refused by the catalog
    /// before it gets here; should one arrive, the longer id is dropped.
    pub fn new<'a>(ids: impl Iterator<Item = &'a str>) -> Shape {
        let mut shape = Shape {
            nodes: vec![BTreeMap::new()],
        };
        for (index, id) in ids.enumerate() {
            let mut node = 0;
            let mut segments = id.split('.').peekable();
            while let Some(segment) = segments.next() {
                if segments.peek().is_none() {
                    shape.nodes[node]
                        .entry(segment.to_string())
                        .or_insert(Slot::Leaf(index));
                    break;
                }
                let next = shape.nodes.len();
                match *shape.nodes[node]
                    .entry(segment.to_string())
                    .or_insert(Slot::Branch(next))
                {
                    Slot::Branch(b) if b == next => {
                        shape.nodes.push(BTreeMap::new());
                        node = next;
                    }
                    Slot::Branch(b) => node = b,
                    Slot::Leaf(_) => break,
                }
            }
        }
        shape
    }
}

/// One manifest's answers as seen by a pass: `values[i]` is the answer of
/// question `i` (none when unanswered), and `masked[i]` leaves it out (as
/// none) because the question does not apply.
#[derive(Debug)]
pub struct View {
    shape: Arc<Shape>,
    node: usize,
    values: Arc<[Value]>,
    masked: Arc<[bool]>,
}

impl View {
    /// The `answers` object.
    pub fn root(shape: Arc<Shape>, values: Arc<[Value]>, masked: Arc<[bool]>) -> Value {
        Value::from_object(View {
            shape,
            node: 0,
            values,
            masked,
        })
    }
}

impl Object for View {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let slot = *self.shape.nodes[self.node].get(key.as_str()?)?;
        Some(match slot {
            Slot::Leaf(i) if self.masked.get(i).copied().unwrap_or(false) => Value::from(()),
            Slot::Leaf(i) => self.values.get(i).cloned().unwrap_or(Value::from(())),
            Slot::Branch(node) => Value::from_object(View {
                shape: self.shape.clone(),
                node,
                values: self.values.clone(),
                masked: self.masked.clone(),
            }),
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self.shape.nodes[self.node]
            .keys()
            .map(|k| Value::from(k.as_str()))
            .collect();
        Enumerator::Values(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str, values: Vec<Value>, masked: Vec<bool>) -> Result<Value, minijinja::Error> {
        let ids = ["a", "keys.trade", "keys.withdrawal", "z.y.x"];
        let shape = Arc::new(Shape::new(ids.into_iter()));
        let answers = View::root(shape, values.into(), masked.into());
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let e = env.compile_expression(expr).unwrap();
        e.eval(minijinja::context! { answers })
    }

    fn values() -> Vec<Value> {
        vec![
            Value::from("yes"),
            Value::from(true),
            Value::from(()),
            Value::from(3),
        ]
    }

    #[test]
    fn reads_nested_answers_and_masks() {
        let open = vec![false; 4];
        assert_eq!(
            eval("answers.a == 'yes'", values(), open.clone()).unwrap(),
            Value::from(true)
        );
        assert_eq!(
            eval("answers.keys.trade", values(), open.clone()).unwrap(),
            Value::from(true)
        );
        assert!(
            eval("answers.keys.withdrawal is none", values(), open.clone())
                .unwrap()
                .is_true()
        );
        assert_eq!(
            eval("answers.z.y.x + 1", values(), open.clone()).unwrap(),
            Value::from(4)
        );
        let masked = vec![true, false, false, true];
        assert!(
            eval(
                "answers.a is none and answers.z.y.x is none",
                values(),
                masked
            )
            .unwrap()
            .is_true()
        );
        assert_eq!(
            eval("answers.keys | list | join(',')", values(), open).unwrap(),
            Value::from("trade,withdrawal")
        );
    }

    #[test]
    fn unknown_names_fail_under_strict_undefined() {
        let open = vec![false; 4];
        assert!(eval("answers.nope == 1", values(), open.clone()).is_err());
        assert!(eval("answers.keys.nope == 1", values(), open).is_err());
    }

    #[test]
    fn an_id_extending_another_is_dropped_not_panicked_on() {
        let shape = Shape::new(["a", "a.b"].into_iter());
        assert_eq!(shape.nodes.len(), 1);
        let shape = Shape::new(["a.b", "a"].into_iter());
        assert!(matches!(shape.nodes[0]["a"], Slot::Branch(1)));
    }
}
