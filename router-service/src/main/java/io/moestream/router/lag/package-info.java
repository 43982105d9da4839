/** Expert lag: each expert group's backlog and oldest waiting task, and an alert when an expert with a backlog stops committing. */
package io.moestream.router.lag;
