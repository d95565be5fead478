package io.vmagent.backend.http;

import com.github.fge.jsonschema.library.Library;
import com.github.fge.msgsimple.bundle.MessageBundle;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Draft4;
import com.networknt.schema.keyword.NonValidationKeyword;

/**
 * The compiled check's JSON Schema dialect: the draft 4 keywords the library validates with, and
 * exactly the formats the library asserts, each decided by the library's attribute. A format the
 * library does not know (uuid) asserts nothing in either; a keyword draft 4 does not define ({@code
 * nullable}, {@code example}, {@code readOnly}) is inert in both.
 */
final class LibraryDialect {
  private static final String ID = "urn:vmagent:openapi-request-check";

  private LibraryDialect() {}

  static Dialect of(Library library, MessageBundle bundle) {
    return Dialect.builder(ID, Draft4.getInstance())
        .formats(
            formats -> {
              formats.clear();
              library
                  .getFormatAttributes()
                  .entries()
                  .forEach(
                      (name, attribute) ->
                          formats.put(name, new LibraryFormat(name, attribute, bundle)));
            })
        // quiet: the OpenAPI keywords the library ignores too, without a warning each
        .unknownKeywordFactory((keyword, context) -> new NonValidationKeyword(keyword))
        .build();
  }
}
