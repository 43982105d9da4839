/**
 * Where experts run: expert groups (the unit that runs, scales and is placed), the placement plan file, and the
 * packers that make a plan from a memory budget or a process count.
 */
package io.moestream.core.placement;
