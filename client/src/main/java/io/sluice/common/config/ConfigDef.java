package io.sluice.common.config;

import io.sluice.common.errors.ConfigException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The definition of a set of configuration keys: name, type, default, allowed range and documentation. Parsing
 * checks every key at once, before a component starts, and refuses unknown keys and bad values with a message that
 * names the key, so a typo fails loudly instead of being ignored.
 */
public final class ConfigDef
{
    /** Value types a key can have; values may arrive as strings (from a file) or as typed objects. */
    public enum Type
    {
        INT, LONG, DOUBLE, BOOLEAN, STRING, LIST
    }

    /** Checks a parsed value; throws {@link ConfigException} with the key name when it is not acceptable. */
    @FunctionalInterface
    public interface Validator
    {
        void ensureValid(String name, Object value);
    }

    /** One configuration key. */
    public static final class Key
    {
        public final String name;
        public final Type type;
        public final Object defaultValue;
        public final Validator validator;
        public final String documentation;

        Key(final String name, final Type type, final Object defaultValue, final Validator validator,
            final String documentation)
        {
            this.name = name;
            this.type = type;
            this.defaultValue = defaultValue;
            this.validator = validator;
            this.documentation = documentation;
        }
    }

    private final Map<String, Key> keys = new LinkedHashMap<>();

    /** Defines a key; {@code defaultValue} is given in its typed form. */
    public ConfigDef define(final String name, final Type type, final Object defaultValue, final Validator validator,
        final String documentation)
    {
        if (keys.containsKey(name))
        {
            throw new IllegalArgumentException("Config key " + name + " is defined twice");
        }
        final Object parsedDefault = defaultValue == null ? null : parse(name, type, defaultValue);
        if (validator != null && parsedDefault != null)
        {
            validator.ensureValid(name, parsedDefault);
        }
        keys.put(name, new Key(name, type, parsedDefault, validator, documentation));
        return this;
    }

    public ConfigDef define(final String name, final Type type, final Object defaultValue, final String documentation)
    {
        return define(name, type, defaultValue, null, documentation);
    }

    public Map<String, Key> keys()
    {
        return Collections.unmodifiableMap(keys);
    }

    /**
     * Parses {@code originals} against these keys, filling in defaults. Unknown keys are refused unless
     * {@code allowUnknown} (used by a layer that passes the rest on to another definition).
     */
    public Map<String, Object> parse(final Map<String, ?> originals, final boolean allowUnknown)
    {
        final List<String> unknown = new ArrayList<>();
        for (final String name : originals.keySet())
        {
            if (!keys.containsKey(name))
            {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty() && !allowUnknown)
        {
            Collections.sort(unknown);
            throw new ConfigException("Unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
                + String.join(", ", unknown));
        }
        final Map<String, Object> values = new LinkedHashMap<>();
        for (final Key key : keys.values())
        {
            final Object raw = originals.get(key.name);
            final Object value = raw == null ? key.defaultValue : parse(key.name, key.type, raw);
            if (value != null && key.validator != null)
            {
                key.validator.ensureValid(key.name, value);
            }
            values.put(key.name, value);
        }
        return values;
    }

    static Object parse(final String name, final Type type, final Object raw)
    {
        if (!(raw instanceof String))
        {
            switch (type)
            {
                case INT:
                    if (raw instanceof Integer) return raw;
                    break;
                case LONG:
                    if (raw instanceof Long) return raw;
                    if (raw instanceof Integer) return ((Integer)raw).longValue();
                    break;
                case DOUBLE:
                    if (raw instanceof Number) return ((Number)raw).doubleValue();
                    break;
                case BOOLEAN:
                    if (raw instanceof Boolean) return raw;
                    break;
                case LIST:
                    if (raw instanceof List) return raw;
                    break;
                default:
                    break;
            }
            return parse(name, type, raw.toString());
        }
        final String text = ((String)raw).trim();
        try
        {
            switch (type)
            {
                case INT:
                    return Integer.parseInt(text);
                case LONG:
                    return Long.parseLong(text);
                case DOUBLE:
                    return Double.parseDouble(text);
                case BOOLEAN:
                    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))
                    {
                        return Boolean.parseBoolean(text);
                    }
                    throw new ConfigException("Invalid value '" + raw + "' for configuration " + name
                        + ": expected true or false");
                case LIST:
                    if (text.isEmpty())
                    {
                        return Collections.emptyList();
                    }
                    final List<String> items = new ArrayList<>();
                    for (final String item : text.split(","))
                    {
                        items.add(item.trim());
                    }
                    return Collections.unmodifiableList(items);
                case STRING:
                default:
                    return text;
            }
        }
        catch (final NumberFormatException e)
        {
            throw new ConfigException("Invalid value '" + raw + "' for configuration " + name + ": expected "
                + type.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A validator that accepts numbers within {@code [min, max]}. */
    public static Validator atLeast(final long min)
    {
        return between(min, Long.MAX_VALUE);
    }

    public static Validator between(final long min, final long max)
    {
        return (name, value) ->
        {
            final double v = ((Number)value).doubleValue();
            if (v < min || v > max)
            {
                throw new ConfigException("Invalid value " + value + " for configuration " + name
                    + ": must be " + (max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max));
            }
        };
    }

    /** A validator for a string, or every item of a list, that must be one of {@code allowed}. */
    public static Validator oneOf(final String... allowed)
    {
        final List<String> options = Arrays.asList(allowed);
        return (name, value) ->
        {
            final List<?> items = value instanceof List ? (List<?>)value : List.of(value);
            for (final Object item : items)
            {
                if (!options.contains(item.toString()))
                {
                    throw new ConfigException("Invalid value '" + item + "' for configuration " + name
                        + ": must be one of " + String.join(", ", options));
                }
            }
        };
    }
}
