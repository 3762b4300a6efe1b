# text-generation-inference's backends/v3/src/radix.rs: `key: Vec<u32>,` is a struct field and
# its type, not a key and its value.
. "$EXAMPLES/lib.sh"
init
mkdir -p src
cat > src/radix.rs <<'RS'
struct TrieNode {
    blocks: Vec<u32>,
    key: Vec<u32>,
    token: Option<String>,
    last_accessed: u64,
}
RS
commit "trie"
