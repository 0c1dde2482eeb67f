package org.genbench.notebook;

import java.util.Map;

/**
 * A value a notebook shows richly: its representations by MIME type ({@code text/plain} always, and
 * {@code text/html} or {@code image/png} as base64). The genbench kernel displays any cell value that implements
 * this; the interface keeps the kernel from knowing the client's types, and the client from knowing the kernel.
 */
public interface Displayable {
    Map<String, String> mimeBundle();
}
