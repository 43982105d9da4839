/** The expert service's configuration keys ({@code moe.*}). */
package io.moestream.expert.config;
