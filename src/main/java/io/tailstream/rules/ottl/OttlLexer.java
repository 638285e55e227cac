package io.tailstream.rules.ottl;

import io.tailstream.rules.ottl.OttlParser.Token;
import io.tailstream.rules.ottl.OttlParser.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/** Splits an OTTL condition into tokens; the list always ends with an END token. */
final class OttlLexer {
  private static final String TWO_CHAR_OPERATORS = "== != <= >=";
  private static final String OPERATORS = "<>+-*/()[],.";

  private OttlLexer() {}

  static List<Token> tokens(String text) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"') {
        StringBuilder s = new StringBuilder();
        i++;
        while (true) {
          if (i >= text.length()) {
            throw new OttlSyntaxException("string not closed: add a \"", column);
          }
          char d = text.charAt(i++);
          if (d == '"') {
            break;
          }
          if (d == '\\') {
            if (i >= text.length()) {
              throw new OttlSyntaxException("string not closed: add a \"", column);
            }
            char e = text.charAt(i++);
            s.append(switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              case 'r' -> '\r';
              case '"', '\\' -> e;
              default -> throw new OttlSyntaxException("unknown escape \\" + e + " in a string", i - 1);
            });
          } else {
            s.append(d);
          }
        }
        out.add(new Token(Kind.STRING, s.toString(), column));
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1))
          && !afterValue(out))) {
        int start = i;
        boolean dot = false;
        while (i < text.length() && (Character.isDigit(text.charAt(i)) || (text.charAt(i) == '.' && !dot))) {
          dot |= text.charAt(i) == '.';
          i++;
        }
        if (i < text.length() && (Character.isLetter(text.charAt(i)) || text.charAt(i) == '_')) {
          throw new OttlSyntaxException("bad number '" + text.substring(start, i + 1) + "'", column);
        }
        out.add(new Token(dot ? Kind.FLOAT : Kind.INT, text.substring(start, i), column));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
          i++;
        }
        out.add(new Token(Kind.IDENT, text.substring(start, i), column));
      } else if (i + 1 < text.length() && TWO_CHAR_OPERATORS.contains(text.substring(i, i + 2))
          && text.charAt(i + 1) == '=') {
        out.add(new Token(Kind.OPERATOR, text.substring(i, i + 2), column));
        i += 2;
      } else if (OPERATORS.indexOf(c) >= 0) {
        out.add(new Token(Kind.OPERATOR, String.valueOf(c), column));
        i++;
      } else {
        throw new OttlSyntaxException("unexpected character '" + c + "'", column);
      }
    }
    out.add(new Token(Kind.END, "", text.length() + 1));
    return out;
  }

  /** After a value, a '.' is a path separator, never the start of a number such as .5. */
  private static boolean afterValue(List<Token> out) {
    if (out.isEmpty()) {
      return false;
    }
    Token last = out.get(out.size() - 1);
    return last.kind() == Kind.IDENT || last.is(")") || last.is("]");
  }
}
