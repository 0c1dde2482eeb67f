/** The genbench Jupyter kernel: JJava's protocol library, JShell in this JVM, rich display of genbench values. */
package org.genbench.kernel;
