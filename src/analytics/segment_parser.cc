// Text form of the segment language: lexer and recursive-descent parser.
//
// Grammar (lowest precedence first; keywords and names are case-insensitive):
//   or        := and ("or" and)*
//   and       := not ("and" not)*
//   not       := "not" not | predicate
//   predicate := sum [ cmp sum | ["not"] "in" "(" sum ("," sum)* ")" | ["not"] "between" sum "and" sum
//                    | "is" ["not"] "null" | ["not"] ("contains" | "starts_with" | "ends_with") sum ]
//   sum       := product (("+" | "-") product)*
//   product   := unary (("*" | "/") unary)*
//   unary     := "-" unary | primary
//   primary   := number | duration | string | "date" string | "true" | "false"
//              | name ["(" [or ("," or)*] ")"] | "(" or ")"
#include <charconv>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "analytics/segment_ast.h"
#include "base/strings.h"
#include "base/time_format.h"

namespace rapport {
namespace internal {
namespace {

constexpr size_t kMaxSource = 1 << 20;
// Parentheses nest calls without adding levels to the tree, so the call depth gets its own, larger
// bound; a tree of SegmentExpr::kMaxDepth levels always prints to text within it.
constexpr int kMaxRecursion = 256;

enum class Tok {
  kEnd, kName, kQuotedName, kNumber, kDuration, kString,
  kLParen, kRParen, kComma, kEq, kNe, kLt, kLe, kGt, kGe, kPlus, kMinus, kStar, kSlash,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // names (lower-cased), string contents, number spelling
  double number = 0;
  int64_t count = 0;
  char unit = 'd';
  int line = 1, column = 1;
};

class ParseError {
 public:
  ParseError(int line, int column, std::string problem) : line(line), column(column), problem(std::move(problem)) {}
  int line, column;
  std::string problem;
};

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid.
int Utf8Length(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  uint32_t v = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Token Next() {
    SkipSpace();
    Token t;
    t.line = line_;
    t.column = column_;
    if (pos_ >= src_.size()) return t;
    uint32_t cp = 0;
    int len = Utf8Length(src_, pos_, &cp);
    if (len == 0) throw ParseError(line_, column_, "invalid UTF-8");
    char c = src_[pos_];
    if (absl::ascii_isalpha(c) || c == '_') return Name(t);
    if (absl::ascii_isdigit(c) || (c == '.' && pos_ + 1 < src_.size() && absl::ascii_isdigit(src_[pos_ + 1]))) {
      return NumberOrDuration(t);
    }
    if (c == '`') return QuotedName(t);
    if (c == '"' || c == '\'') return String(t, static_cast<uint32_t>(c), static_cast<uint32_t>(c));
    if (cp == 0x201C) return String(t, cp, 0x201D);  // “…”, as Chinese input methods type quotes
    if (cp == 0x2018) return String(t, cp, 0x2019);  // ‘…’
    auto one = [&](Tok kind, int n) {
      Advance(n);
      t.kind = kind;
      return t;
    };
    auto next_is = [&](char d) { return pos_ + 1 < src_.size() && src_[pos_ + 1] == d; };
    switch (cp) {
      case '(': case 0xFF08: return one(Tok::kLParen, len);
      case ')': case 0xFF09: return one(Tok::kRParen, len);
      case ',': case 0xFF0C: return one(Tok::kComma, len);
      case '+': return one(Tok::kPlus, 1);
      case '-': return one(Tok::kMinus, 1);
      case '*': return one(Tok::kStar, 1);
      case '/': return one(Tok::kSlash, 1);
      case '=': return one(Tok::kEq, next_is('=') ? 2 : 1);
      case '!':
        if (next_is('=')) return one(Tok::kNe, 2);
        break;
      case '<':
        if (next_is('=')) return one(Tok::kLe, 2);
        if (next_is('>')) return one(Tok::kNe, 2);
        return one(Tok::kLt, 1);
      case '>':
        if (next_is('=')) return one(Tok::kGe, 2);
        return one(Tok::kGt, 1);
      default:
        break;
    }
    throw ParseError(line_, column_, StrCat("unexpected character '", src_.substr(pos_, len), "'"));
  }

 private:
  void Advance(size_t bytes) {
    size_t end = pos_ + bytes;
    while (pos_ < end) {
      if (src_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(src_[pos_]) & 0xC0) != 0x80) {
        ++column_;
      }
      ++pos_;
    }
    // A multi-byte character counted once at its lead byte; the column already moved past it.
  }

  void SkipSpace() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance(1);
      } else if (src_.substr(pos_, 3) == "\xE3\x80\x80") {  // ideographic space
        Advance(3);
      } else {
        break;
      }
    }
  }

  Token Name(Token t) {
    size_t start = pos_;
    while (pos_ < src_.size() && (absl::ascii_isalnum(src_[pos_]) || src_[pos_] == '_')) Advance(1);
    t.kind = Tok::kName;
    t.text = absl::AsciiStrToLower(AsAbsl(src_.substr(start, pos_ - start)));
    return t;
  }

  // `name`: any field name, also one that is a keyword or not a plain identifier; kept as written.
  Token QuotedName(Token t) {
    Advance(1);
    size_t start = pos_;
    while (pos_ < src_.size() && src_[pos_] != '`' && src_[pos_] != '\n') {
      uint32_t cp = 0;
      int len = Utf8Length(src_, pos_, &cp);
      if (len == 0) throw ParseError(line_, column_, "invalid UTF-8");
      if (cp < 0x20) throw ParseError(line_, column_, "control character in a `name`");
      Advance(len);
    }
    if (pos_ >= src_.size() || src_[pos_] != '`') throw ParseError(t.line, t.column, "unterminated `name`");
    t.kind = Tok::kQuotedName;
    t.text = std::string(src_.substr(start, pos_ - start));
    Advance(1);
    if (t.text.empty()) throw ParseError(t.line, t.column, "empty `name`");
    return t;
  }

  Token NumberOrDuration(Token t) {
    size_t start = pos_;
    while (pos_ < src_.size() && (absl::ascii_isdigit(src_[pos_]) || src_[pos_] == '.')) Advance(1);
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t k = pos_ + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && absl::ascii_isdigit(src_[k])) {
        Advance(k - pos_);
        while (pos_ < src_.size() && absl::ascii_isdigit(src_[pos_])) Advance(1);
      }
    }
    std::string_view digits = src_.substr(start, pos_ - start);
    double value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      throw ParseError(t.line, t.column, StrCat("malformed number \"", digits, "\""));
    }
    if (!std::isfinite(value)) throw ParseError(t.line, t.column, StrCat("number out of range: ", digits));
    size_t suffix_start = pos_;
    while (pos_ < src_.size() && (absl::ascii_isalnum(src_[pos_]) || src_[pos_] == '_')) Advance(1);
    std::string_view suffix = src_.substr(suffix_start, pos_ - suffix_start);
    t.text = std::string(src_.substr(start, pos_ - start));
    if (suffix.empty()) {
      t.kind = Tok::kNumber;
      t.number = value;
      return t;
    }
    if (suffix != "h" && suffix != "d" && suffix != "w") {
      throw ParseError(t.line, t.column, StrCat("unknown duration unit \"", suffix, "\" (use h, d or w, e.g. 90d)"));
    }
    if (value != std::floor(value) || value > 1e6) {
      throw ParseError(t.line, t.column, StrCat("a duration is a whole number of hours, days or weeks up to 1000000: ", t.text));
    }
    t.kind = Tok::kDuration;
    t.count = static_cast<int64_t>(value);
    t.unit = suffix[0];
    return t;
  }

  Token String(Token t, uint32_t open, uint32_t close) {
    uint32_t cp = 0;
    Advance(Utf8Length(src_, pos_, &cp));
    std::string out;
    while (true) {
      if (pos_ >= src_.size()) throw ParseError(t.line, t.column, "unterminated string");
      int len = Utf8Length(src_, pos_, &cp);
      if (len == 0) throw ParseError(line_, column_, "invalid UTF-8");
      if (cp == close) {
        Advance(len);
        break;
      }
      if (cp == '\\') {
        if (pos_ + 1 >= src_.size()) throw ParseError(t.line, t.column, "unterminated string");
        char e = src_[pos_ + 1];
        int el = line_, ec = column_;
        Advance(2);
        switch (e) {
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case '\'': out += '\''; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'u': {
            uint32_t v = 0;
            if (pos_ + 4 > src_.size()) throw ParseError(el, ec, "\\u needs four hex digits");
            for (int k = 0; k < 4; ++k) {
              char h = src_[pos_ + k];
              if (!absl::ascii_isxdigit(h)) throw ParseError(el, ec, "\\u needs four hex digits");
              v = v * 16 + (absl::ascii_isdigit(h) ? h - '0' : (absl::ascii_tolower(h) - 'a' + 10));
            }
            if (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) throw ParseError(el, ec, "\\u escape is not a character");
            Advance(4);
            AppendUtf8(out, v);
            break;
          }
          default:
            throw ParseError(el, ec, StrCat("unknown escape \\", std::string(1, e)));
        }
        continue;
      }
      if (cp < 0x20) throw ParseError(line_, column_, "control character in a string (use \\n or \\t)");
      out.append(src_.substr(pos_, len));
      Advance(len);
    }
    t.kind = Tok::kString;
    t.text = std::move(out);
    return t;
  }

  std::string_view src_;
  size_t pos_ = 0;
  int line_ = 1, column_ = 1;
};

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "the end";
    case Tok::kName: return StrCat("'", t.text, "'");
    case Tok::kQuotedName: return StrCat("`", t.text, "`");
    case Tok::kString: return StrCat("\"", t.text, "\"");
    case Tok::kNumber: case Tok::kDuration: return t.text;
    case Tok::kLParen: return "'('";
    case Tok::kRParen: return "')'";
    case Tok::kComma: return "','";
    case Tok::kEq: return "'='";
    case Tok::kNe: return "'!='";
    case Tok::kLt: return "'<'";
    case Tok::kLe: return "'<='";
    case Tok::kGt: return "'>'";
    case Tok::kGe: return "'>='";
    case Tok::kPlus: return "'+'";
    case Tok::kMinus: return "'-'";
    case Tok::kStar: return "'*'";
    case Tok::kSlash: return "'/'";
  }
  return "?";
}

bool IsReserved(std::string_view name) {
  return name == "and" || name == "or" || name == "not" || name == "in" || name == "between" || name == "is" ||
         name == "null" || name == "true" || name == "false" || name == "contains" || name == "starts_with" ||
         name == "ends_with" || name == "date";
}

class Parser {
 public:
  explicit Parser(std::string_view src) : lexer_(src) { Shift(); }

  NodePtr ParseAll() {
    NodePtr e = Or();
    if (tok_.kind != Tok::kEnd) {
      throw ParseError(tok_.line, tok_.column, StrCat("unexpected ", Describe(tok_), " (expected 'and', 'or' or the end)"));
    }
    return e;
  }

 private:
  void Shift() { tok_ = lexer_.Next(); }
  bool AtName(std::string_view name) const { return tok_.kind == Tok::kName && tok_.text == name; }

  std::shared_ptr<SegmentNode> Node(SegmentOp op, const Token& at, std::vector<NodePtr> args) {
    auto n = std::make_shared<SegmentNode>();
    n->op = op;
    n->args = std::move(args);
    n->line = at.line;
    n->column = at.column;
    n->height = HeightOver(n->args);
    Bounded(n);
    return n;
  }

  // Left-associative chains (a / b / c ...) grow the tree without recursing, so the tree's own
  // height is bounded too: JSON, the checker and the evaluator walk it recursively.
  static NodePtr Bounded(NodePtr n) {
    if (n->height > SegmentExpr::kMaxDepth) {
      throw ParseError(n->line, n->column,
                       StrCat("expression nested too deeply (more than ", SegmentExpr::kMaxDepth, " levels)"));
    }
    return n;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p(p) {
      if (++p->depth_ > kMaxRecursion) {
        throw ParseError(p->tok_.line, p->tok_.column,
                         StrCat("expression nested too deeply (more than ", kMaxRecursion, " open parentheses, nots or minuses)"));
      }
    }
    ~DepthGuard() { --p->depth_; }
    Parser* p;
  };

  NodePtr Or() {
    DepthGuard guard(this);
    NodePtr left = And();
    while (AtName("or")) {
      Shift();
      NodePtr right = And();
      left = Bounded(Positioned(MakeLogical(SegmentOp::kOr, left, right), left));
    }
    return left;
  }

  NodePtr And() {
    NodePtr left = Not();
    while (AtName("and")) {
      Shift();
      NodePtr right = Not();
      left = Bounded(Positioned(MakeLogical(SegmentOp::kAnd, left, right), left));
    }
    return left;
  }

  // A logical chain takes the position of its first operand.
  static NodePtr Positioned(NodePtr n, const NodePtr& first) {
    auto m = std::const_pointer_cast<SegmentNode>(n);
    m->line = first->line;
    m->column = first->column;
    return m;
  }

  NodePtr Not() {
    if (AtName("not")) {
      DepthGuard guard(this);
      Token at = tok_;
      Shift();
      return Node(SegmentOp::kNot, at, {Not()});
    }
    return Predicate();
  }

  NodePtr Predicate() {
    NodePtr left = Sum();
    Token at = tok_;
    auto cmp = [&](SegmentOp op) {
      Shift();
      return Node(op, at, {left, Sum()});
    };
    switch (tok_.kind) {
      case Tok::kEq: return cmp(SegmentOp::kEq);
      case Tok::kNe: return cmp(SegmentOp::kNe);
      case Tok::kLt: return cmp(SegmentOp::kLt);
      case Tok::kLe: return cmp(SegmentOp::kLe);
      case Tok::kGt: return cmp(SegmentOp::kGt);
      case Tok::kGe: return cmp(SegmentOp::kGe);
      default: break;
    }
    if (tok_.kind != Tok::kName) return left;
    if (tok_.text == "is") {
      Shift();
      bool negated = AtName("not");
      if (negated) Shift();
      if (!AtName("null")) throw ParseError(tok_.line, tok_.column, StrCat("expected 'null' after 'is', found ", Describe(tok_)));
      Shift();
      NodePtr n = Node(SegmentOp::kIsNull, at, {left});
      return negated ? Node(SegmentOp::kNot, at, {n}) : n;
    }
    bool negated = false;
    if (tok_.text == "not") {
      negated = true;
      Shift();
      if (!(AtName("in") || AtName("between") || AtName("contains") || AtName("starts_with") || AtName("ends_with"))) {
        throw ParseError(tok_.line, tok_.column,
                         StrCat("expected 'in', 'between', 'contains', 'starts_with' or 'ends_with' after 'not', found ",
                                Describe(tok_)));
      }
    }
    NodePtr n;
    if (AtName("in")) {
      Shift();
      Expect(Tok::kLParen, "'(' after 'in'");
      std::vector<NodePtr> args{left};
      do {
        args.push_back(Sum());
        if (tok_.kind != Tok::kComma) break;
        Shift();
      } while (true);
      Expect(Tok::kRParen, "')' or ',' in the list");
      n = Node(SegmentOp::kIn, at, std::move(args));
    } else if (AtName("between")) {
      Shift();
      NodePtr low = Sum();
      if (!AtName("and")) throw ParseError(tok_.line, tok_.column, StrCat("expected 'and' in 'between', found ", Describe(tok_)));
      Shift();
      n = Node(SegmentOp::kBetween, at, {left, low, Sum()});
    } else if (AtName("contains") || AtName("starts_with") || AtName("ends_with")) {
      SegmentOp op = AtName("contains") ? SegmentOp::kContains
                     : AtName("starts_with") ? SegmentOp::kStartsWith
                                             : SegmentOp::kEndsWith;
      Shift();
      n = Node(op, at, {left, Sum()});
    } else {
      return left;
    }
    return negated ? Node(SegmentOp::kNot, at, {n}) : n;
  }

  NodePtr Sum() {
    NodePtr left = Product();
    while (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus) {
      Token at = tok_;
      SegmentOp op = tok_.kind == Tok::kPlus ? SegmentOp::kAdd : SegmentOp::kSub;
      Shift();
      left = Node(op, at, {left, Product()});
    }
    return left;
  }

  NodePtr Product() {
    NodePtr left = Unary();
    while (tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash) {
      Token at = tok_;
      SegmentOp op = tok_.kind == Tok::kStar ? SegmentOp::kMul : SegmentOp::kDiv;
      Shift();
      left = Node(op, at, {left, Unary()});
    }
    return left;
  }

  NodePtr Unary() {
    if (tok_.kind == Tok::kMinus) {
      DepthGuard guard(this);
      Token at = tok_;
      Shift();
      auto n = MakeNeg(Unary());
      auto m = std::const_pointer_cast<SegmentNode>(n);
      m->line = at.line;
      m->column = at.column;
      return Bounded(m);
    }
    return Primary();
  }

  NodePtr LiteralNode(const Token& at, Literal lit) {
    auto n = Node(SegmentOp::kLiteral, at, {});
    n->literal = std::move(lit);
    return n;
  }

  NodePtr Primary() {
    Token at = tok_;
    Literal lit;
    switch (tok_.kind) {
      case Tok::kNumber:
        lit.kind = LiteralKind::kNumber;
        lit.number = tok_.number;
        Shift();
        return LiteralNode(at, lit);
      case Tok::kDuration:
        lit.kind = LiteralKind::kDuration;
        lit.count = tok_.count;
        lit.unit = tok_.unit;
        lit.micros = DurationMicros(lit.count, lit.unit);
        Shift();
        return LiteralNode(at, lit);
      case Tok::kString:
        lit.kind = LiteralKind::kText;
        lit.text = tok_.text;
        Shift();
        return LiteralNode(at, lit);
      case Tok::kLParen: {
        Shift();
        NodePtr inner = Or();
        Expect(Tok::kRParen, "')'");
        return inner;
      }
      case Tok::kName:
        break;
      case Tok::kQuotedName: {
        Shift();
        auto n = Node(SegmentOp::kField, at, {});
        n->name = at.text;
        return n;
      }
      default:
        throw ParseError(at.line, at.column, "expected an expression");
    }
    const std::string name = tok_.text;
    if (name == "true" || name == "false") {
      lit.kind = LiteralKind::kBool;
      lit.boolean = name == "true";
      Shift();
      return LiteralNode(at, lit);
    }
    if (name == "null") throw ParseError(at.line, at.column, "null is not a value here: test for a missing value with 'is null'");
    if (name == "date") {
      Shift();
      if (tok_.kind != Tok::kString) throw ParseError(tok_.line, tok_.column, "expected a quoted date after 'date', e.g. date \"2025-01-31\"");
      auto day = ParseDate("date", tok_.text);
      if (!day.ok()) throw ParseError(tok_.line, tok_.column, StrCat("\"", tok_.text, "\" is not a date (expected YYYY-MM-DD)"));
      lit.kind = LiteralKind::kDate;
      lit.micros = absl::ToUnixMicros(absl::FromCivil(*day, absl::UTCTimeZone()));
      Shift();
      return LiteralNode(at, lit);
    }
    if (IsReserved(name)) throw ParseError(at.line, at.column, "expected an expression");
    Shift();
    if (tok_.kind != Tok::kLParen) {
      auto n = Node(SegmentOp::kField, at, {});
      n->name = name;
      return n;
    }
    Shift();
    std::vector<NodePtr> args;
    if (tok_.kind != Tok::kRParen) {
      do {
        args.push_back(Or());
        if (tok_.kind != Tok::kComma) break;
        Shift();
      } while (true);
    }
    Expect(Tok::kRParen, "')' or ',' after a function argument");
    auto n = Node(SegmentOp::kCall, at, std::move(args));
    n->name = name;
    return n;
  }

  void Expect(Tok kind, std::string_view what) {
    if (tok_.kind != kind) throw ParseError(tok_.line, tok_.column, StrCat("expected ", what, ", found ", Describe(tok_)));
    Shift();
  }

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace
}  // namespace internal

absl::StatusOr<SegmentExpr> SegmentExpr::Parse(std::string_view text) {
  if (text.size() > internal::kMaxSource) {
    return absl::InvalidArgumentError("expression: longer than 1 MiB");
  }
  try {
    internal::Parser parser(text);
    internal::NodePtr root = parser.ParseAll();
    return SegmentExpr(std::move(root), std::make_shared<const std::string>(text));
  } catch (const internal::ParseError& e) {
    return absl::InvalidArgumentError(internal::PositionedMessage(text, e.line, e.column, e.problem));
  }
}

}  // namespace rapport
