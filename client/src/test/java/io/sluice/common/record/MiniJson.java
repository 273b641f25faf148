package io.sluice.common.record;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON to read the shared test vectors' description: objects, arrays, strings, numbers, null. */
final class MiniJson
{
    private final String text;
    private int i;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text)
    {
        final MiniJson parser = new MiniJson(text);
        final Object value = parser.value();
        parser.skipSpace();
        if (parser.i != text.length())
        {
            throw new IllegalArgumentException("Trailing characters at " + parser.i);
        }
        return value;
    }

    private Object value()
    {
        skipSpace();
        final char c = text.charAt(i);
        switch (c)
        {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 'n':
                expect("null");
                return null;
            case 't':
                expect("true");
                return Boolean.TRUE;
            case 'f':
                expect("false");
                return Boolean.FALSE;
            default:
                return number();
        }
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (text.charAt(i) == '}')
        {
            i++;
            return map;
        }
        while (true)
        {
            skipSpace();
            final String key = string();
            skipSpace();
            expect(":");
            map.put(key, value());
            skipSpace();
            if (text.charAt(i++) == '}')
            {
                return map;
            }
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        i++;
        skipSpace();
        if (text.charAt(i) == ']')
        {
            i++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipSpace();
            if (text.charAt(i++) == ']')
            {
                return list;
            }
        }
    }

    private String string()
    {
        expect("\"");
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            final char c = text.charAt(i++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c == '\\')
            {
                final char e = text.charAt(i++);
                switch (e)
                {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'u':
                        sb.append((char)Integer.parseInt(text.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: sb.append(e);
                }
            }
            else
            {
                sb.append(c);
            }
        }
    }

    private Object number()
    {
        final int start = i;
        while (i < text.length() && "+-0123456789.eE".indexOf(text.charAt(i)) >= 0)
        {
            i++;
        }
        final String n = text.substring(start, i);
        if (n.contains(".") || n.contains("e") || n.contains("E"))
        {
            return Double.parseDouble(n);
        }
        return Long.parseLong(n);
    }

    private void expect(final String s)
    {
        if (!text.startsWith(s, i))
        {
            throw new IllegalArgumentException("Expected '" + s + "' at " + i);
        }
        i += s.length();
    }

    private void skipSpace()
    {
        while (i < text.length() && Character.isWhitespace(text.charAt(i)))
        {
            i++;
        }
    }
}
