package dev.orion.api.support;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.EdECPublicKey;
import java.util.Base64;

/** Fresh, valid OpenSSH ed25519 public key lines for registration tests. */
public final class TestKeys {
  private TestKeys() {}

  public static String ed25519() {
    try {
      EdECPublicKey key = (EdECPublicKey) KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
      // RFC 8032 encoding: y little-endian, with the parity of x in the top bit.
      byte[] y = key.getPoint().getY().toByteArray();
      byte[] le = new byte[32];
      for (int i = 0; i < y.length && i < 32; i++) {
        le[i] = y[y.length - 1 - i];
      }
      if (key.getPoint().isXOdd()) {
        le[31] |= (byte) 0x80;
      }
      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(blob);
      byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
      out.writeInt(type.length);
      out.write(type);
      out.writeInt(32);
      out.write(le);
      return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " test@orion";
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

}
