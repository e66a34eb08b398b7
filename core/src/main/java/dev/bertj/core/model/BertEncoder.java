package dev.bertj.core.model;

import dev.bertj.core.nn.Parameters;

/** The stack of {@code num_hidden_layers} encoder layers. */
public final class BertEncoder {

    final BertLayer[] layers;

    BertEncoder(BertConfig config, Parameters params, String prefix) {
        layers = new BertLayer[config.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new BertLayer(config, params, prefix + "layer." + l + ".", l);
        }
    }

    void forward(BertActivations act) {
        for (BertLayer layer : layers) {
            layer.forward(act);
        }
    }
}
