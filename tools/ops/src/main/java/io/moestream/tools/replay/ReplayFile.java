package io.moestream.tools.replay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Recorded traffic in a file, to move it between clusters. Big-endian, as {@link DataOutputStream} writes:
 * <pre>
 * file   := "MOEREPLAY" version:u16(=1) record* 0x00
 * record := 0x01 topic:str partition:i32 offset:i64 timestamp:i64 key:bytes
 *           headers:i32 (name:str value:bytes)*  value:bytes
 * str    := length:i32 UTF-8 bytes
 * bytes  := length:i32 (-1 for null) raw bytes
 * </pre>
 * The end marker tells a complete file from one cut short.
 */
final class ReplayFile {
    static final byte[] MAGIC = "MOEREPLAY".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int RECORD = 1;
    private static final int END = 0;

    private ReplayFile() {
    }

    static void write(Path file, List<ReplayRecord> records) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(MAGIC);
            out.writeShort(VERSION);
            for (ReplayRecord r : records) {
                out.writeByte(RECORD);
                writeString(out, r.topic());
                out.writeInt(r.partition());
                out.writeLong(r.offset());
                out.writeLong(r.timestamp());
                writeBytes(out, r.key());
                out.writeInt(r.headers().size());
                for (Header h : r.headers()) {
                    writeString(out, h.key());
                    writeBytes(out, h.value());
                }
                writeBytes(out, r.value());
            }
            out.writeByte(END);
        }
    }

    static List<ReplayRecord> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a moe replay file (it does not start with MOEREPLAY)");
            }
            int version = in.readUnsignedShort();
            if (version != VERSION) {
                throw new IOException(file + " is a replay file of version " + version + "; this build reads version "
                        + VERSION);
            }
            List<ReplayRecord> records = new ArrayList<>();
            for (int marker = in.readUnsignedByte(); marker == RECORD; marker = in.readUnsignedByte()) {
                String topic = readString(in);
                int partition = in.readInt();
                long offset = in.readLong();
                long timestamp = in.readLong();
                byte[] key = readBytes(in);
                int headerCount = in.readInt();
                List<Header> headers = new ArrayList<>(headerCount);
                for (int i = 0; i < headerCount; i++) {
                    headers.add(new RecordHeader(readString(in), readBytes(in)));
                }
                records.add(new ReplayRecord(topic, partition, offset, timestamp, key, headers, readBytes(in)));
            }
            return records;
        } catch (EOFException e) {
            throw new IOException(file + " is cut short: it ends before its end marker", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = readBytes(in);
        if (bytes == null) {
            throw new IOException("a topic or header name is null in the replay file");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < -1) {
            throw new IOException("negative length " + length + " in the replay file");
        }
        if (length == -1) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
