/** One picocli command per {@code moe} sub-command; each is a thin shell over the stack and client packages. */
package io.moestream.tools.cli;
