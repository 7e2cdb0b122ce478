// dns_automaton.cpp: writes the dns generator's -O program (see dns_automaton.h).
//
// Patterns are interned as continuations (a label test followed by a continuation), so
// that equal tails of different patterns are one value. A node of the automaton is a set
// of continuations still possible at a label boundary. At a node, the exact literal labels
// (no '?') exclude each other, so one decision tree over the label's loaded words picks
// the only one that can match; the node may also have one other test (a wildcard, a label
// with '?', a `prefix**`), tried when no literal matched, and folded into each literal's
// next node when it matches that literal too. Patterns are put into blocks so that no node
// needs two other tests; a block that does not match goes on to the next one. Nodes
// reached from several places are written once; X is brought to the node's own offset on
// the way in when the places disagree. A chain (a node of one continuation) that is cheaper
// to compare again than to jump to is compared in place, as the end of the literal label
// that leads to it, so that a name the tree has picked is compared to its end in a row;
// names that end with the same word at the same offset share that last comparison, and
// every match ends at one `ret`.
#include "generators/dns_automaton.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "generators/asm_text.h"

namespace bpfgen {

namespace {

using Test = DnsLabelTest;
using Kind = DnsLabelTest::Kind;

// Decision trees compare at most this many values in a row, else split them by `jgt`.
constexpr std::size_t kLinearValues = 4;

// Where the label under test starts: X plus a constant, or a constant.
struct Cursor {
    bool indexed = true;
    uint32_t base = 0;

    auto operator<=>(const Cursor&) const = default;
    std::string operand(std::size_t offset) const {
        const auto at = base + static_cast<uint32_t>(offset);
        return indexed ? fmt::format("[x + {}]", at) : fmt::format("[{}]", at);
    }
    Cursor after(std::size_t bytes) const {
        return Cursor{indexed, base + static_cast<uint32_t>(bytes)};
    }
};

bool is_exact_literal(const Test& test) {
    return test.kind == Kind::Literal &&
           std::none_of(test.masks.begin(), test.masks.end(), [](uint8_t m) { return m == 0xff; });
}

// Whether every label the exact literal `literal` matches is matched by `other` too.
bool covers(const Test& other, const Test& literal) {
    const std::size_t length = literal.bytes[0];
    auto same_from = [&](std::size_t from) {
        for (std::size_t i = from; i < other.bytes.size(); ++i) {
            if (other.masks[i] == 0xff) continue;
            if (other.bytes[i] != literal.bytes[i] || other.masks[i] != literal.masks[i]) {
                return false;
            }
        }
        return true;
    };
    switch (other.kind) {
        case Kind::Wildcard:
            return length >= other.min && length <= other.max;
        case Kind::Literal:
            return other.bytes.size() == literal.bytes.size() && same_from(0);
        case Kind::OpenPrefix:
            return length >= other.min && length + 1 >= other.bytes.size() && same_from(1);
    }
    return false;
}

constexpr int kMatch = 0;  // the empty continuation: the name matched

// Interned label tests and continuations.
class Continuations {
  public:
    Continuations() : links_{{-1, -1}}, lengths_{0} {}

    int add(const DnsPatternTests& pattern) {
        int rest = kMatch;
        for (auto it = pattern.rbegin(); it != pattern.rend(); ++it) rest = cons(intern(*it), rest);
        return rest;
    }
    const Test& head(int continuation) const { return tests_[links_[continuation].first]; }
    int head_id(int continuation) const { return links_[continuation].first; }
    int rest(int continuation) const { return links_[continuation].second; }
    std::size_t length(int continuation) const { return lengths_[continuation]; }
    const Test& test(int id) const { return tests_[id]; }

  private:
    int intern(const Test& test) {
        const auto [it, added] = test_ids_.try_emplace(test, static_cast<int>(tests_.size()));
        if (added) tests_.push_back(test);
        return it->second;
    }
    int cons(int test, int rest) {
        const auto [it, added] =
            link_ids_.try_emplace({test, rest}, static_cast<int>(links_.size()));
        if (added) {
            links_.emplace_back(test, rest);
            lengths_.push_back(lengths_[rest] + 1);
        }
        return it->second;
    }

    std::map<Test, int> test_ids_;
    std::vector<Test> tests_;
    std::map<std::pair<int, int>, int> link_ids_;
    std::vector<std::pair<int, int>> links_;
    std::vector<std::size_t> lengths_;
};

using Set = std::vector<int>;  // sorted, distinct continuations

Set make_set(std::vector<int> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (!ids.empty() && ids.front() == kMatch) return {kMatch};  // matched whatever follows
    return ids;
}

// What a node does with the label under test.
struct Transitions {
    bool conflict = false;                      // two different other tests
    std::vector<std::pair<int, Set>> literals;  // exact literal -> next node
    std::optional<std::pair<int, Set>> other;   // the other test -> next node
};

Transitions transitions(const Continuations& all, const Set& set) {
    Transitions moves;
    std::map<int, std::vector<int>> literals, others;
    for (const int continuation : set) {
        auto& into = is_exact_literal(all.head(continuation)) ? literals : others;
        into[all.head_id(continuation)].push_back(all.rest(continuation));
    }
    if (others.size() > 1) {
        moves.conflict = true;
        return moves;
    }
    if (!others.empty())
        moves.other.emplace(others.begin()->first, make_set(others.begin()->second));
    for (auto& [literal, rests] : literals) {
        if (moves.other && covers(all.test(moves.other->first), all.test(literal))) {
            const std::vector<int>& more = others.begin()->second;
            rests.insert(rests.end(), more.begin(), more.end());
        }
        moves.literals.emplace_back(literal, make_set(rests));
    }
    return moves;
}

// Whether every node reachable from `set` needs at most one other test.
bool deterministic(const Continuations& all, const Set& set, std::map<Set, bool>& known) {
    if (set.size() <= 1) return true;
    if (const auto it = known.find(set); it != known.end()) return it->second;
    const Transitions moves = transitions(all, set);
    bool result = !moves.conflict;
    for (const auto& [literal, next] : moves.literals) {
        if (!result) break;
        result = deterministic(all, next, known);
    }
    if (result && moves.other) result = deterministic(all, moves.other->second, known);
    known.emplace(set, result);
    return result;
}

// --- the program as entries with symbolic jump targets -----------------------------------

constexpr int kNext = -1;  // fall through to the next instruction

struct Entry {
    enum class Kind { Label, Comment, Plain, Conditional, Jump, Return };
    Kind kind = Kind::Plain;
    // Plain, Return: the instruction; Comment: its text; Conditional: the operand ("#5")
    std::string text;
    int label = -1;  // Label: its id; Jump: the target
    int jt = kNext, jf = kNext;
    bool jt_shared = false, jf_shared = false;  // Conditional: a side sent to a shared stone
    bool own_stone = false;  // Jump, Return: the stone of one jump, right after it
    std::string_view op;     // Conditional: "jeq", "jgt" or "jge"

    bool is_instruction() const { return kind != Kind::Label && kind != Kind::Comment; }
    bool falls_through() const {
        return kind == Kind::Plain || (kind == Kind::Conditional && (jt == kNext || jf == kNext));
    }
};

Entry make_entry(Entry::Kind kind, std::string text, int label = -1) {
    Entry entry;
    entry.kind = kind;
    entry.text = std::move(text);
    entry.label = label;
    return entry;
}

Entry make_conditional(std::string_view op, std::string operand, int jt, int jf) {
    Entry entry = make_entry(Entry::Kind::Conditional, std::move(operand));
    entry.op = op;
    entry.jt = jt;
    entry.jf = jf;
    return entry;
}

class Code {
  public:
    int new_label() { return labels_++; }
    void place(int label) { add(make_entry(Entry::Kind::Label, "", label)); }
    void plain(std::string text) { add(make_entry(Entry::Kind::Plain, std::move(text))); }
    void comment(std::string text) { add(make_entry(Entry::Kind::Comment, std::move(text))); }
    void conditional(std::string_view op, uint32_t value, int digits, int jt, int jf) {
        std::string operand =
            digits > 0 ? fmt::format("#0x{:0{}x}", value, digits) : fmt::format("#{}", value);
        add(make_conditional(op, std::move(operand), jt, jf));
    }
    void jump(int target) { add(make_entry(Entry::Kind::Jump, "", target)); }
    // Whether the last entry written is a conditional jump with one side falling through
    // to what comes next.
    bool falls_to_next() { return open_side_of_last_jump() != nullptr; }
    // Ends what was written with a jump to `target`: the fall-through side of the last
    // conditional jump goes there instead when it has one, else a `ja` does.
    void finish_with(int target) {
        if (int* side = open_side_of_last_jump()) {
            *side = target;
        } else {
            jump(target);
        }
    }
    void ret(uint32_t value) {
        add(make_entry(Entry::Kind::Return, fmt::format("ret #{}", value)));
    }

    // The instructions written so far (with the stepping stones once text() put them).
    std::size_t size() const { return instructions_; }

    // Puts a jump (or a copy of a `ret`) within reach of every conditional jump whose
    // target is further than 255 instructions, then writes the text.
    std::string text() {
        // Each pass moves at least one side of a conditional jump, and no side is moved
        // more than twice (after the kNext side has become a label); more passes than that
        // would be a defect here, not a property of the patterns.
        const std::size_t sides = 2 * static_cast<std::size_t>(std::count_if(
                                          entries_.begin(), entries_.end(), [](const Entry& e) {
                                              return e.kind == Entry::Kind::Conditional;
                                          }));
        for (std::size_t pass = 0; reach_far_targets(); ++pass) {
            if (pass > 2 * sides + 2) {
                throw std::logic_error("dns automaton: stepping stones placed round in circles");
            }
        }
        return write();
    }

  private:
    // The side (jt or jf) of the last entry, comments aside, that falls through to what
    // comes next, when it is a conditional jump with exactly one such side; else nullptr.
    int* open_side_of_last_jump() {
        for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
            if (it->kind == Entry::Kind::Comment) continue;
            if (it->kind != Entry::Kind::Conditional || (it->jt == kNext) == (it->jf == kNext)) {
                return nullptr;
            }
            return it->jt == kNext ? &it->jt : &it->jf;
        }
        return nullptr;
    }

    void add(Entry entry) {
        if (entry.is_instruction()) ++instructions_;
        entries_.push_back(std::move(entry));
    }

    struct Layout {
        std::vector<std::size_t> position;     // of each entry (a label: of what follows it)
        std::vector<std::size_t> label_entry;  // of each label id
    };

    Layout layout() const {
        Layout result;
        result.label_entry.assign(static_cast<std::size_t>(labels_), entries_.size());
        std::size_t position = 0;
        result.position.reserve(entries_.size());
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            result.position.push_back(position);
            if (entries_[i].is_instruction()) {
                ++position;
            } else if (entries_[i].kind == Entry::Kind::Label) {
                result.label_entry[static_cast<std::size_t>(entries_[i].label)] = i;
            }
        }
        return result;
    }

    static std::size_t target_position(const Layout& at, int target) {
        return at.position[at.label_entry[static_cast<std::size_t>(target)]];
    }

    static bool far(const Layout& at, std::size_t from, int target) {
        if (target == kNext) return false;
        return target_position(at, target) - at.position[from] - 1 > kMaxJumpDistance;
    }

    // The instruction after entry `i`.
    const Entry* next_instruction(std::size_t i) const {
        for (++i; i < entries_.size(); ++i) {
            if (entries_[i].is_instruction()) return &entries_[i];
        }
        return nullptr;
    }

    // The instruction a label stands before.
    const Entry* instruction_at(const Layout& at, int label) const {
        for (std::size_t i = at.label_entry[static_cast<std::size_t>(label)]; i < entries_.size();
             ++i) {
            if (entries_[i].is_instruction()) return &entries_[i];
        }
        return nullptr;
    }

    // One pass over the conditional jumps: each side out of reach goes through a stepping
    // stone (a `ja`, or a copy of the `ret` it leads to; `ja` reaches anything). The first
    // time a side is out of reach, a stone ahead within reach may serve several jumps: an
    // instruction already there that does the same, one put in this pass, or a new one in
    // a gap (after a `ja`, a `ret` or a conditional jump whose both sides go elsewhere,
    // where nothing falls in). The second time, the side gets
    // a stone of its own right after the jump. Nothing is ever put between a jump and its
    // own stones (they are not gaps), so those stay within reach, every side is moved at
    // most twice, and the passes end. Returns whether anything changed.
    bool reach_far_targets() {
        const Layout at = layout();
        // A gap stone is put this far at most, so that the stones put later in the same
        // pass before it seldom push it out of reach again.
        constexpr std::size_t kGapReach = kMaxJumpDistance - 32;
        // What can serve as a stone, by where it leads: "r" and a `ret`'s text, or "j" and
        // the position of a `ja`'s target.
        auto key_of_return = [](const Entry& entry) { return "r" + entry.text; };
        auto key_of_jump = [&](int target) {
            return "j" + std::to_string(target_position(at, target));
        };
        std::map<std::string, std::vector<std::size_t>> in_place;  // key -> entries, in order
        // Entries after which nothing falls in: a `ja` or `ret` that is no own stone, or a
        // conditional jump with both sides elsewhere and no own stones after it.
        std::vector<std::size_t> gaps;
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            const Entry& entry = entries_[i];
            if (entry.kind == Entry::Kind::Jump) {
                in_place[key_of_jump(entry.label)].push_back(i);
            } else if (entry.kind == Entry::Kind::Return) {
                in_place[key_of_return(entry)].push_back(i);
            } else if (entry.kind == Entry::Kind::Conditional && !entry.falls_through()) {
                const Entry* next = next_instruction(i);
                if (next == nullptr || !next->own_stone) gaps.push_back(i);
                continue;
            } else {
                continue;
            }
            if (!entry.own_stone) gaps.push_back(i);
        }
        auto distance = [&](std::size_t from, std::size_t to) {
            return at.position[to] - at.position[from] - 1;
        };
        // The furthest of `candidates` (entries, in order) ahead of `from` within `reach`.
        auto furthest = [&](const std::vector<std::size_t>& candidates, std::size_t from,
                            std::size_t reach) {
            std::optional<std::size_t> best;
            for (auto it = std::upper_bound(candidates.begin(), candidates.end(), from);
                 it != candidates.end() && distance(from, *it) <= reach; ++it) {
                best = *it;
            }
            return best;
        };
        std::map<std::size_t, int> labels_before;         // entry -> a label put before it
        std::map<std::size_t, std::vector<Entry>> after;  // entry -> stones put after it
        std::map<std::string, std::vector<std::pair<std::size_t, int>>> new_stones;
        bool changed = false;
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            Entry& entry = entries_[i];
            if (entry.kind != Entry::Kind::Conditional) continue;
            const bool far_true = far(at, i, entry.jt);
            const bool far_false = far(at, i, entry.jf);
            if (!far_true && !far_false) continue;
            changed = true;
            std::vector<Entry> own;
            auto reach = [&](int& side, bool& shared) {
                const int target = side;
                const Entry* destination = instruction_at(at, target);
                const bool is_return =
                    destination != nullptr && destination->kind == Entry::Kind::Return;
                Entry stone = is_return ? *destination : make_entry(Entry::Kind::Jump, "", target);
                if (!shared) {
                    shared = true;
                    const std::string key =
                        is_return ? key_of_return(*destination) : key_of_jump(target);
                    if (const auto it = in_place.find(key); it != in_place.end()) {
                        if (const auto there = furthest(it->second, i, kMaxJumpDistance)) {
                            auto [label, added] = labels_before.try_emplace(*there, -1);
                            if (added) label->second = new_label();
                            side = label->second;
                            return;
                        }
                    }
                    // A stone put in this pass after a gap: its distance is that of the gap.
                    for (const auto& [gap, label] : new_stones[key]) {
                        if (gap > i && distance(i, gap) < kGapReach) {
                            side = label;
                            return;
                        }
                    }
                    if (const auto gap = furthest(gaps, i, kGapReach - 1)) {
                        const int label = new_label();
                        after[*gap].push_back(make_entry(Entry::Kind::Label, "", label));
                        after[*gap].push_back(std::move(stone));
                        new_stones[key].emplace_back(*gap, label);
                        side = label;
                        return;
                    }
                }
                const int label = new_label();
                stone.own_stone = true;
                own.push_back(make_entry(Entry::Kind::Label, "", label));
                own.push_back(std::move(stone));
                side = label;
            };
            if (far_true) reach(entry.jt, entry.jt_shared);
            if (far_false) reach(entry.jf, entry.jf_shared);
            if (own.empty()) continue;
            if (entry.jt == kNext || entry.jf == kNext) {
                const int next = new_label();
                (entry.jt == kNext ? entry.jt : entry.jf) = next;
                own.push_back(make_entry(Entry::Kind::Label, "", next));
            }
            // Its own stones come right after it, before any stones put in its gap.
            std::vector<Entry>& stones = after[i];
            stones.insert(stones.begin(), std::make_move_iterator(own.begin()),
                          std::make_move_iterator(own.end()));
        }
        if (!changed) return false;
        std::vector<Entry> placed;
        placed.reserve(entries_.size() + 3 * after.size() + labels_before.size());
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            if (const auto it = labels_before.find(i); it != labels_before.end()) {
                placed.push_back(make_entry(Entry::Kind::Label, "", it->second));
            }
            placed.push_back(std::move(entries_[i]));
            if (const auto it = after.find(i); it != after.end()) {
                for (Entry& stone : it->second) placed.push_back(std::move(stone));
            }
        }
        entries_ = std::move(placed);
        instructions_ = static_cast<std::size_t>(std::count_if(
            entries_.begin(), entries_.end(), [](const Entry& e) { return e.is_instruction(); }));
        return true;
    }

    std::string write() const {
        // bpf_asm takes one label per instruction: labels in a row become the first one.
        std::map<int, int> name;
        int first = -1;
        for (const Entry& entry : entries_) {
            if (entry.is_instruction()) {
                first = -1;
            } else if (entry.kind == Entry::Kind::Label) {
                if (first < 0) first = entry.label;
                name[entry.label] = first;
            }
        }
        auto target = [&](int label) { return name.at(label); };
        std::string out;
        for (const Entry& entry : entries_) {
            switch (entry.kind) {
                case Entry::Kind::Comment:
                    out += "    ; " + entry.text + "\n";
                    break;
                case Entry::Kind::Label:
                    if (name.at(entry.label) == entry.label)
                        out += fmt::format("l{}:\n", entry.label);
                    break;
                case Entry::Kind::Plain:
                case Entry::Kind::Return:
                    out += "    " + entry.text + "\n";
                    break;
                case Entry::Kind::Jump:
                    out += fmt::format("    ja l{}\n", target(entry.label));
                    break;
                case Entry::Kind::Conditional: {
                    // bpf_asm's names of the jumps taken when the comparison fails
                    const std::string_view inverse = entry.op == "jeq"   ? "jneq"
                                                     : entry.op == "jgt" ? "jle"
                                                                         : "jlt";
                    if (entry.jf == kNext) {
                        out +=
                            fmt::format("    {} {}, l{}\n", entry.op, entry.text, target(entry.jt));
                    } else if (entry.jt == kNext) {
                        out +=
                            fmt::format("    {} {}, l{}\n", inverse, entry.text, target(entry.jf));
                    } else {
                        out += fmt::format("    {} {}, l{}, l{}\n", entry.op, entry.text,
                                           target(entry.jt), target(entry.jf));
                    }
                    break;
                }
            }
        }
        return out;
    }

    std::vector<Entry> entries_;
    std::size_t instructions_ = 0;
    int labels_ = 0;
};

// --- nodes ------------------------------------------------------------------------------

// A way into a node: the offset it comes with, and whether it is a literal of a decision
// tree (which can compare a chain in place instead).
struct Edge {
    Cursor from;
    bool from_tree = false;
};

struct Node {
    Set set;
    std::optional<Cursor> pinned;  // a small node is written again for each offset
    int label = -1;
    std::vector<Edge> incoming;        // the offsets it is reached with, one per edge
    bool reached_by_wildcard = false;  // reached with X freshly set, any offset
    Cursor cursor;                     // its own offset
    std::map<Cursor, int> entries;     // the other offsets it is reached with -> label
    // A chain's offsets whose decision-tree edges compare it in place, as the end of the
    // literal they follow, instead of jumping to it; the node itself is written only when
    // some edge still jumps to it.
    std::set<Cursor> inline_at;
    bool written = true;
    Transitions moves;
    std::vector<int> literal_children;
    int other_child = -1;
};

constexpr int kMatchNode = -2;

std::string hex_bytes(const Test& test) {
    std::string text;
    for (std::size_t i = 0; i < test.bytes.size(); ++i) {
        if (test.masks[i] == 0xff) {
            text += "??";
        } else {
            text += fmt::format("{:02x}", test.bytes[i]);
        }
    }
    return text;
}

class AutomatonWriter {
  public:
    AutomatonWriter(const Continuations& all, const DnsAutomatonTarget& target, Code& code)
        : all_(all), target_(target), code_(code), match_label_(code.new_label()) {}

    // The block for `roots`: matches go to the shared `ret #match`, anything else to `fail`.
    // Returns whether the block moves X.
    bool write_block(const Set& roots, Cursor start, int fail) {
        nodes_.clear();
        node_ids_.clear();
        fail_ = fail;
        moves_x_ = false;
        const int root = node_for(roots, start);
        // Nodes in decreasing length of their longest continuation: a node comes after
        // every node that leads to it, so all jumps go forward.
        std::vector<int> order;
        std::map<std::pair<std::size_t, int>, int, std::greater<>> pending;
        auto enqueue = [&](int node) {
            if (node >= 0) pending.emplace(std::make_pair(longest(nodes_[node].set), -node), node);
        };
        if (root == kMatchNode) {
            code_.jump(use_match());
            return false;
        }
        enqueue(root);
        while (!pending.empty()) {
            const int id = pending.begin()->second;
            pending.erase(pending.begin());
            order.push_back(id);
            const std::size_t before = nodes_.size();
            plan(id);
            for (std::size_t n = before; n < nodes_.size(); ++n) enqueue(static_cast<int>(n));
        }
        if (order.front() != root) throw std::logic_error("dns automaton: root not first");
        for (const int id : order) {
            if (nodes_[id].written) write_node(id);
        }
        write_tails([](const Tail&) { return true; });
        return moves_x_;
    }

    int match_label() const { return match_label_; }
    bool match_used() const { return match_used_; }

  private:
    std::size_t longest(const Set& set) const {
        std::size_t length = 0;
        for (const int continuation : set) length = std::max(length, all_.length(continuation));
        return length;
    }

    // A single continuation of literal labels that one word covers: cheaper to write again
    // at each offset than to move X to one.
    bool small(const Set& set) const {
        if (set.size() != 1) return false;
        std::size_t bytes = 0;
        for (int c = set[0]; c != kMatch; c = all_.rest(c)) {
            if (all_.head(c).kind != Kind::Literal) return false;
            bytes += all_.head(c).bytes.size();
        }
        return bytes <= 4;
    }

    // The node for `set`, reached at `from` (nullopt: by a wildcard, X set freely).
    int node_for(const Set& set, std::optional<Cursor> from, bool from_tree = false) {
        if (set == Set{kMatch}) return kMatchNode;
        std::optional<Cursor> pinned;
        if (small(set)) pinned = from ? *from : Cursor{true, 0};
        const auto key = std::make_pair(set, pinned);
        auto [it, added] = node_ids_.try_emplace(key, static_cast<int>(nodes_.size()));
        if (added) {
            Node node;
            node.set = set;
            node.pinned = pinned;
            node.label = code_.new_label();
            nodes_.push_back(std::move(node));
        }
        Node& node = nodes_[it->second];
        if (from) {
            node.incoming.push_back(Edge{*from, from_tree});
        } else {
            node.reached_by_wildcard = true;
        }
        return it->second;
    }

    // Chooses the node's offset (the one most edges bring) and finds its next nodes.
    void plan(int id) {
        {
            Node& node = nodes_[id];
            if (node.pinned) {
                node.cursor = *node.pinned;
            } else {
                std::map<Cursor, std::size_t> votes;
                std::optional<Cursor> best;
                for (const auto& [from, from_tree] : node.incoming) {
                    if (node.reached_by_wildcard && !from.indexed) continue;
                    const std::size_t count = ++votes[from];
                    if (!best || count > votes[*best]) best = from;
                }
                node.cursor = best.value_or(Cursor{true, 0});
                for (const auto& [from, from_tree] : node.incoming) {
                    const bool reachable =
                        from == node.cursor ||
                        (node.cursor.indexed && (from.indexed || from.base >= node.cursor.base));
                    if (!reachable) node.cursor = Cursor{true, 0};
                }
            }
            if (node.set.size() == 1) choose_inlining(node);
            for (const auto& [from, from_tree] : node.incoming) {
                if (from == node.cursor || (from_tree && node.inline_at.count(from) > 0)) continue;
                node.entries.try_emplace(from, code_.new_label());
            }
            if (node.set.size() == 1) return;  // a chain, written in one piece
            node.moves = transitions(all_, node.set);
            if (node.moves.conflict) throw std::logic_error("dns automaton: two other tests");
        }
        const Cursor cursor = nodes_[id].cursor;
        const Transitions moves = nodes_[id].moves;
        std::vector<int> children;
        for (const auto& [literal, next] : moves.literals) {
            children.push_back(node_for(next, cursor.after(all_.test(literal).bytes.size()), true));
        }
        int other = -1;
        if (moves.other) {
            const Test& test = all_.test(moves.other->first);
            const Set& next = moves.other->second;
            if (test.kind == Kind::Literal) {
                other = node_for(next, cursor.after(test.bytes.size()));
            } else if (test.kind == Kind::Wildcard) {
                other = node_for(next, std::nullopt);
            } else if (next == Set{kMatch}) {
                other = kMatchNode;
            } else {
                throw std::logic_error("dns automaton: a label after prefix**");
            }
        }
        nodes_[id].literal_children = std::move(children);
        nodes_[id].other_child = other;
    }

    // Instructions that compare a run of `bytes` literal bytes, a word at a time (the last
    // word overlapping the one before it when the run is not a multiple of 4).
    static std::size_t run_cost(std::size_t bytes) {
        if (bytes == 0) return 0;
        const std::size_t words = bytes >= 4 ? (bytes + 3) / 4 : bytes == 3 ? 2 : 1;
        return 2 * words;
    }

    // About the instructions of write_chain(continuation) but its accept.
    std::size_t chain_cost(int continuation) const {
        std::size_t cost = 0, run = 0;
        for (; continuation != kMatch; continuation = all_.rest(continuation)) {
            const Test& head = all_.head(continuation);
            if (head.kind == Kind::Wildcard) {
                cost += run_cost(run) + 6;  // its length's range, X moved past it
                run = 0;
            } else {
                run += head.bytes.size();
                if (head.kind == Kind::OpenPrefix) cost += 2;  // its length's minimum
            }
        }
        return cost + run_cost(run);
    }

    // Decides which decision-tree edges into a chain compare it in place: each copy costs
    // the chain's comparisons (less about one, as its first word joins the literal's end)
    // and saves the jump there and, when the edge comes at another offset, moving X.
    void choose_inlining(Node& node) {
        const std::size_t cost = chain_cost(node.set[0]);
        const std::size_t copy = cost > 0 ? cost - 1 : 0;
        auto move_cost = [](Cursor from) -> std::size_t { return from.indexed ? 4 : 2; };
        std::map<Cursor, std::size_t> tree_edges;
        std::set<Cursor> forced;  // offsets with an edge that must jump to the node
        for (const auto& [from, from_tree] : node.incoming) {
            if (from_tree) {
                ++tree_edges[from];
            } else {
                forced.insert(from);
            }
        }
        const bool must_write = node.reached_by_wildcard || !forced.empty();
        // Everything in place, or the node written at its offset with the edges at other
        // offsets each in place or moving X, whichever is cheaper.
        std::size_t all_in_place = 0;
        std::size_t shared = cost;
        std::set<Cursor> in_place_when_shared;
        for (const auto& [from, count] : tree_edges) {
            all_in_place += count * copy;
            if (from == node.cursor || forced.count(from) > 0) continue;
            if (copy <= move_cost(from)) {
                shared += count * copy;
                in_place_when_shared.insert(from);
            } else {
                shared += move_cost(from);
            }
        }
        if (!must_write && all_in_place <= shared) {
            for (const auto& [from, count] : tree_edges) node.inline_at.insert(from);
            node.written = false;
        } else {
            node.inline_at = std::move(in_place_when_shared);
        }
    }

    // Where a jump to `child` from offset `from` goes.
    int edge(int child, Cursor from) {
        if (child == kMatchNode) return use_match();
        const Node& node = nodes_[child];
        if (node.cursor == from) return node.label;
        return node.entries.at(from);
    }

    int use_match() {
        match_used_ = true;
        return match_label_;
    }

    void write_node(int id) {
        const Node& node = nodes_[id];
        // The ways in with another offset bring X to the node's own.
        std::size_t left = node.entries.size();
        for (const auto& [from, label] : node.entries) {
            code_.place(label);
            moves_x_ = true;
            if (!from.indexed) {
                code_.plain(fmt::format("ldx #{}", from.base - node.cursor.base));
            } else {
                code_.plain("txa");
                if (from.base > node.cursor.base) {
                    code_.plain(fmt::format("add #{}", from.base - node.cursor.base));
                } else {
                    code_.plain(fmt::format("sub #{}", node.cursor.base - from.base));
                }
                code_.plain("tax");
            }
            if (--left > 0) code_.jump(node.label);
        }
        code_.place(node.label);
        if (node.set.size() == 1) {
            write_chain(node.set[0], node.cursor);
            write_old_tails();
            return;
        }
        const Cursor cursor = node.cursor;
        const int other_label = node.moves.other ? code_.new_label() : fail_;
        // A literal whose chain is compared in place is told apart as its label and the
        // chain's leading exact literal labels in a row.
        std::deque<Test> joined;
        std::vector<Candidate> candidates;
        for (std::size_t i = 0; i < node.moves.literals.size(); ++i) {
            const Test& test = all_.test(node.moves.literals[i].first);
            const int child = node.literal_children[i];
            const Cursor after = cursor.after(test.bytes.size());
            if (child < 0 || nodes_[child].inline_at.count(after) == 0) {
                candidates.push_back({&test, edge(child, after), -1});
                continue;
            }
            Test& run = joined.emplace_back(test);
            int rest = nodes_[child].set[0];
            for (; rest != kMatch && is_exact_literal(all_.head(rest)); rest = all_.rest(rest)) {
                const Test& label = all_.head(rest);
                run.bytes.insert(run.bytes.end(), label.bytes.begin(), label.bytes.end());
                run.masks.insert(run.masks.end(), label.masks.begin(), label.masks.end());
            }
            candidates.push_back({&run, -1, rest});
        }
        if (!candidates.empty()) decide(candidates, 0, cursor, other_label);
        if (node.moves.other) {
            write_tails_failing_to(other_label);
            code_.place(other_label);
            write_other(all_.test(node.moves.other->first), node.other_child, cursor);
        }
    }

    struct Candidate {
        const Test* test;
        int target;     // where a name that passes the test goes on
        int then = -1;  // or: the continuation compared in place after it
    };

    // The word of `test` at `at`: its width, mask and value as compared.
    struct Word {
        std::size_t width;
        uint32_t mask;
        uint32_t value;
    };

    static Word word(const Test& test, std::size_t at) {
        const std::size_t left = test.bytes.size() - at;
        Word result{left >= 4 ? 4U : left >= 2 ? 2U : 1U, 0, 0};
        for (std::size_t i = 0; i < result.width; ++i) {
            result.mask = result.mask << 8 | test.masks[at + i];
            result.value = result.value << 8 | test.bytes[at + i];
        }
        return result;
    }

    void load(const Word& w, std::size_t at, Cursor cursor) {
        const std::string_view op = w.width == 4 ? "ld" : w.width == 2 ? "ldh" : "ldb";
        code_.plain(fmt::format("{} {}", op, cursor.operand(at)));
        if (w.mask != 0) code_.plain(fmt::format("or #0x{:0{}x}", w.mask, w.width * 2));
    }

    // Tells the candidates apart from byte `at` of their labels on: each group of the same
    // word shape loads it once and picks among its values; a failing group goes on with
    // the next group, the last one to `fail`. Everything it writes comes before `fail` and
    // the next group, so that its jumps there go forward; its last instruction jumps, it
    // never falls through. A single candidate left is compared to its end in a row.
    void decide(const std::vector<Candidate>& candidates, std::size_t at, Cursor cursor, int fail) {
        if (candidates.size() == 1) {
            finish(candidates.front(), at, cursor, fail);
            return;
        }
        std::map<std::pair<std::size_t, uint32_t>, std::vector<Candidate>> groups;
        for (const Candidate& candidate : candidates) {
            const Word w = word(*candidate.test, at);
            groups[{w.width, w.mask}].push_back(candidate);
        }
        std::size_t left = groups.size();
        for (const auto& [shape, members] : groups) {
            const int group_fail = --left > 0 ? code_.new_label() : fail;
            const Word first = word(*members.front().test, at);
            load(first, at, cursor);
            std::map<uint32_t, std::vector<Candidate>> by_value;
            for (const Candidate& member : members) {
                by_value[word(*member.test, at).value | first.mask].push_back(member);
            }
            std::vector<Branch> branches;
            for (auto& [value, sub] : by_value) branches.push_back(Branch{value, std::move(sub)});
            const int digits = static_cast<int>(first.width * 2);
            branch_on(branches, 0, branches.size(), digits, at + first.width, cursor, group_fail);
            if (left > 0) {
                write_tails_failing_to(group_fail);
                code_.place(group_fail);
            }
        }
    }

    struct Branch {
        uint32_t value;
        std::vector<Candidate> rest;  // the candidates with this value, told apart further on
    };

    void branch_on(std::vector<Branch>& branches, std::size_t first, std::size_t last, int digits,
                   std::size_t next_at, Cursor cursor, int fail) {
        if (last - first > kLinearValues) {
            const std::size_t middle = first + (last - first) / 2;
            const int high = code_.new_label();
            code_.conditional("jgt", branches[middle - 1].value, digits, high, kNext);
            branch_on(branches, first, middle, digits, next_at, cursor, fail);
            code_.place(high);
            branch_on(branches, middle, last, digits, next_at, cursor, fail);
            return;
        }
        for (std::size_t i = first; i < last; ++i) {
            // In place (decide's code never falls through), so that its jumps stay short.
            const bool final = i + 1 == last;
            const int next = final ? fail : code_.new_label();
            code_.conditional("jeq", branches[i].value, digits, kNext, next);
            decide(branches[i].rest, next_at, cursor, fail);
            if (!final) code_.place(next);
        }
    }

    // The one candidate left, its bytes before `at` compared: the rest of them, then on to
    // its target or its continuation.
    void finish(const Candidate& candidate, std::size_t at, Cursor cursor, int fail) {
        if (candidate.then >= 0) code_.comment("labels " + hex_bytes(*candidate.test));
        const bool then_match =
            candidate.then == kMatch || (candidate.then < 0 && candidate.target == match_label_);
        if (!compare_bytes(*candidate.test, at, cursor, fail, std::nullopt, then_match)) {
            if (candidate.then < 0) {
                code_.finish_with(candidate.target);
            } else {
                write_chain(candidate.then, cursor.after(candidate.test->bytes.size()));
            }
        }
        write_old_tails();
    }

    // Compares bytes [from, to) of a label (or of several labels' bytes in a row), jumping
    // to fail on a difference; the comparison of an open label's length comes first. Bytes
    // before `from` are compared already, so three bytes left at the end are read as the
    // word ending there when there is one.
    //
    // With `then_match`, a name that passes goes on to the shared `ret #match`: the last
    // comparison then jumps there itself, and is one shared by the names that end with the
    // same word at the same offset (see tail()); returns whether it was written so.
    bool compare_bytes(const Test& bytes, std::size_t from, Cursor cursor, int fail,
                       std::optional<std::pair<std::size_t, unsigned>> open_length,
                       bool then_match = false) {
        const std::size_t size = bytes.bytes.size();
        std::size_t at = from;
        while (at < size) {
            if (size - at == 3 && size >= 4) at = size - 4;
            const Word w = word(bytes, at);
            if (open_length && open_length->second > 0 && open_length->first >= at &&
                open_length->first < at + w.width) {
                code_.plain(fmt::format("ldb {}", cursor.operand(open_length->first)));
                code_.conditional("jge", open_length->second, 0, kNext, fail);
                open_length.reset();
            }
            const uint32_t all = w.width == 4 ? 0xffffffffU : (1U << (8 * w.width)) - 1;
            if (w.mask != all) {
                if (then_match && at + w.width == size && code_.falls_to_next()) {
                    code_.finish_with(tail(w, cursor.operand(at), fail));
                    return true;
                }
                load(w, at, cursor);
                code_.conditional("jeq", w.value | w.mask, static_cast<int>(w.width * 2), kNext,
                                  fail);
            }
            at += w.width;
        }
        return false;
    }

    // The last comparisons of names, each shared by the names that end with the same word
    // at the same offset. cBPF jumps only forward, so a tail is written after its users:
    // pending while its first user is less than kTailWindow instructions back (its later
    // users jump to it too), then in the next gap (where nothing falls in), before the
    // label of its `fail` is placed, and at the latest at the end of the block.
    static constexpr std::size_t kTailWindow = 160;

    struct Tail {
        Word word;
        std::string operand;
        int fail;
        int label;
        std::size_t first_use;  // the program's length then
    };

    int tail(const Word& w, std::string operand, int fail) {
        for (const Tail& pending : tails_) {
            if (pending.word.width == w.width && pending.word.mask == w.mask &&
                pending.word.value == w.value && pending.fail == fail &&
                pending.operand == operand && code_.size() - pending.first_use < kTailWindow) {
                return pending.label;
            }
        }
        const int label = code_.new_label();
        tails_.push_back(Tail{w, std::move(operand), fail, label, code_.size()});
        return label;
    }

    // Writes the pending tails that `now` says to (in a gap).
    void write_tails(const std::function<bool(const Tail&)>& now) {
        std::vector<Tail> kept;
        for (Tail& pending : tails_) {
            if (!now(pending)) {
                kept.push_back(std::move(pending));
                continue;
            }
            code_.place(pending.label);
            const std::string_view op = pending.word.width == 4   ? "ld"
                                        : pending.word.width == 2 ? "ldh"
                                                                  : "ldb";
            code_.plain(fmt::format("{} {}", op, pending.operand));
            if (pending.word.mask != 0) {
                code_.plain(
                    fmt::format("or #0x{:0{}x}", pending.word.mask, pending.word.width * 2));
            }
            code_.conditional("jeq", pending.word.value | pending.word.mask,
                              static_cast<int>(pending.word.width * 2), use_match(), pending.fail);
        }
        tails_ = std::move(kept);
    }

    void write_old_tails() {
        write_tails([&](const Tail& t) { return code_.size() - t.first_use >= kTailWindow; });
    }
    void write_tails_failing_to(int fail) {
        write_tails([&](const Tail& t) { return t.fail == fail; });
    }

    // The range check of a wildcard label at the cursor; A is then its length.
    void check_wildcard(const Test& test, Cursor cursor, int fail) {
        code_.plain(fmt::format("ldb {}", cursor.operand(0)));
        if (test.min == test.max) {
            code_.conditional("jeq", test.min, 0, kNext, fail);
        } else {
            code_.conditional("jge", test.min, 0, kNext, fail);
            code_.conditional("jgt", test.max, 0, fail, kNext);
        }
    }

    // X = where the label after the wildcard starts, less `to`'s constant.
    void skip_wildcard(Cursor cursor, Cursor to) {
        moves_x_ = true;
        if (cursor.indexed) code_.plain("add x");
        const auto delta = static_cast<int64_t>(cursor.base) + 1 - to.base;
        if (delta > 0) code_.plain(fmt::format("add #{}", delta));
        if (delta < 0) code_.plain(fmt::format("sub #{}", -delta));
        code_.plain("tax");
    }

    void write_other(const Test& test, int child, Cursor cursor) {
        switch (test.kind) {
            case Kind::Literal: {
                code_.comment("label " + hex_bytes(test));
                compare_bytes(test, 0, cursor, fail_, std::nullopt);
                code_.finish_with(edge(child, cursor.after(test.bytes.size())));
                return;
            }
            case Kind::Wildcard:
                code_.comment(fmt::format("label of {} to {} bytes", test.min, test.max));
                check_wildcard(test, cursor, fail_);
                if (child != kMatchNode) skip_wildcard(cursor, nodes_[child].cursor);
                code_.finish_with(child == kMatchNode ? use_match() : nodes_[child].label);
                return;
            case Kind::OpenPrefix:
                code_.comment("label starting " + hex_bytes(test));
                compare_bytes(test, 0, cursor, fail_, std::make_pair(std::size_t{0}, test.min));
                code_.finish_with(use_match());
                return;
        }
    }

    // A node of one continuation: its labels compared in a row, literal bytes a word at a
    // time across label boundaries, then on to the shared `ret #match`.
    void write_chain(int continuation, Cursor cursor) {
        while (continuation != kMatch) {
            const Test& head = all_.head(continuation);
            if (head.kind == Kind::Wildcard) {
                code_.comment(fmt::format("label of {} to {} bytes", head.min, head.max));
                check_wildcard(head, cursor, fail_);
                continuation = all_.rest(continuation);
                if (continuation != kMatch) {
                    skip_wildcard(cursor, Cursor{true, 0});
                    cursor = Cursor{true, 0};
                }
                continue;
            }
            Test run;  // the literal labels up to the next wildcard, in a row
            std::optional<std::pair<std::size_t, unsigned>> open_length;
            while (continuation != kMatch && all_.head(continuation).kind != Kind::Wildcard) {
                const Test& label = all_.head(continuation);
                if (label.kind == Kind::OpenPrefix)
                    open_length.emplace(run.bytes.size(), label.min);
                run.bytes.insert(run.bytes.end(), label.bytes.begin(), label.bytes.end());
                run.masks.insert(run.masks.end(), label.masks.begin(), label.masks.end());
                continuation = all_.rest(continuation);
            }
            code_.comment("labels " + hex_bytes(run));
            if (compare_bytes(run, 0, cursor, fail_, open_length, continuation == kMatch)) return;
            cursor = cursor.after(run.bytes.size());
        }
        code_.finish_with(use_match());
    }

    const Continuations& all_;
    const DnsAutomatonTarget& target_;
    Code& code_;
    const int match_label_;
    bool match_used_ = false;
    std::vector<Node> nodes_;
    std::map<std::pair<Set, std::optional<Cursor>>, int> node_ids_;
    int fail_ = -1;
    bool moves_x_ = false;
    std::vector<Tail> tails_;
};

}  // namespace

DnsAutomaton dns_automaton(const std::vector<DnsPatternTests>& patterns,
                           const DnsAutomatonTarget& target) {
    Continuations all;
    std::vector<Set> blocks;
    std::map<Set, bool> known;
    for (const DnsPatternTests& pattern : patterns) {
        const int root = all.add(pattern);
        const bool exact = std::all_of(pattern.begin(), pattern.end(), is_exact_literal);
        bool placed = false;
        for (Set& block : blocks) {
            Set with = block;
            with.push_back(root);
            with = make_set(std::move(with));
            if (exact || deterministic(all, with, known)) {
                block = std::move(with);
                placed = true;
                break;
            }
        }
        if (!placed) blocks.push_back(make_set({root}));
    }

    Code code;
    const uint32_t name_start =
        target.ip_version == 4 ? target.l3_offset + 8 + 12 : target.l3_offset + 40 + 8 + 12;
    const Cursor start{target.ip_version == 4, name_start};
    const std::string reload_x = fmt::format("ldx 4*([{}]&0xf)", target.l3_offset);
    if (target.ip_version == 4) {
        code.plain(reload_x);
        code.comment(fmt::format("x + {} = offset of first dns query byte", name_start));
    } else {
        code.comment(fmt::format("{} = offset of first dns query byte", name_start));
    }
    AutomatonWriter writer(all, target, code);
    const int no_match = code.new_label();
    bool moved_x = false;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const bool last = i + 1 == blocks.size();
        const int fail = last ? no_match : code.new_label();
        if (moved_x && target.ip_version == 4) code.plain(reload_x);
        code.comment(fmt::format("block {} of {}", i + 1, blocks.size()));
        moved_x = writer.write_block(blocks[i], start, fail);
        if (!last) code.place(fail);
    }
    if (writer.match_used()) {
        code.place(writer.match_label());
        code.ret(target.match);
    }
    code.place(no_match);
    code.ret(target.no_match);
    DnsAutomaton automaton;
    automaton.assembly = code.text();
    automaton.size = code.size();
    return automaton;
}

}  // namespace bpfgen
